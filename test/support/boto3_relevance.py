"""Drives kendrite's relevance tuning and collapse with a real boto3 client, for test/search-relevance.test.ts.

usage: boto3_relevance.py <endpoint-url>

Creates an index with five documents of one text (and a sixth that does not match), tunes and
collapses queries over them, and prints one JSON object of the orders boto3 got back. It asserts
nothing: the node test compares the whole report.
"""
import datetime
import json
import sys
import time

from boto3_scenario import active_index, client, error_of, watch
from boto3_search_features import indexed

TEXT = "Leave policy for all employees."
DOCS = [
    ("a", "legal", 3, "2025-06-01", "p1"),
    ("b", "sales", 1, "2019-01-01", "p1"),
    ("c", "hr", 5, "2025-11-01", "p2"),
    ("d", "sales", None, "2023-01-01", None),
    ("e", "it", 2, None, None),
]
FIELDS = [
    {"Name": "department", "Type": "STRING_VALUE"},
    {"Name": "priority", "Type": "LONG_VALUE"},
    {"Name": "published", "Type": "DATE_VALUE"},
    {"Name": "product", "Type": "STRING_VALUE"},
]
FRESH = [{"Name": "published", "Relevance": {"Freshness": True, "Importance": 10}}]


def update_fields(k, index_id, fields):
    k.update_index(Id=index_id, DocumentMetadataConfigurationUpdates=fields)
    watch(k.describe_index, ("ACTIVE",), Id=index_id)


def document(doc_id, department, priority, published, product, text=TEXT, title="Leave policy"):
    attrs = [{"Key": "department", "Value": {"StringValue": department}}]
    if priority is not None:
        attrs.append({"Key": "priority", "Value": {"LongValue": priority}})
    if published is not None:
        attrs.append({"Key": "published", "Value": {"DateValue": datetime.datetime.fromisoformat(published + "T00:00:00+00:00")}})
    if product is not None:
        attrs.append({"Key": "product", "Value": {"StringValue": product}})
    return {"Id": doc_id, "Title": title, "Blob": text.encode(), "ContentType": "PLAIN_TEXT", "Attributes": attrs}


def main(url):
    k = client(url)
    index_id = active_index(k, "boto3-relevance")
    update_fields(k, index_id, FIELDS)
    docs = [document(*d) for d in DOCS] + [document("f", "sales", 9, "2025-12-01", "p1", "Parking rules for visitors.", "Parking")]
    k.batch_put_document(IndexId=index_id, Documents=docs)
    indexed(k, index_id, [d["Id"] for d in docs])

    def query(**kwargs):
        r = k.query(IndexId=index_id, QueryText="leave policy", **kwargs)
        return r, [[i["DocumentId"] for i in r["ResultItems"]], r["TotalNumberOfResults"]]

    out = {}
    out["untuned"] = query()[1]
    out["freshness"] = query(DocumentRelevanceOverrideConfigurations=FRESH)[1]
    out["valueImportance"] = query(DocumentRelevanceOverrideConfigurations=[{"Name": "department", "Relevance": {"ValueImportanceMap": {"sales": 10, "hr": 3}}}])[1]
    out["rankOrder"] = query(DocumentRelevanceOverrideConfigurations=[{"Name": "priority", "Relevance": {"RankOrder": "ASCENDING", "Importance": 10}}])[1]
    update_fields(k, index_id, [{"Name": "department", "Type": "STRING_VALUE", "Relevance": {"ValueImportanceMap": {"hr": 10, "it": 6}}}])
    out["indexTuned"] = query()[1]
    update_fields(k, index_id, [{"Name": "department", "Type": "STRING_VALUE"}])
    retrieved = k.retrieve(IndexId=index_id, QueryText="leave policy", DocumentRelevanceOverrideConfigurations=FRESH)
    out["retrieve"] = [i["DocumentId"] for i in retrieved["ResultItems"]]
    r, order = query(CollapseConfiguration={"DocumentAttributeKey": "product", "Expand": True})
    details = [[i["CollapsedResultDetail"]["DocumentAttribute"]["Value"], [x["DocumentId"] for x in i["CollapsedResultDetail"].get("ExpandedResults", [])]] for i in r["ResultItems"]]
    out["collapse"] = order + [details]

    def code(**kwargs):
        return error_of(k.query, IndexId=index_id, QueryText="leave policy", **kwargs)["code"]

    out["errors"] = {
        "unknownField": code(DocumentRelevanceOverrideConfigurations=[{"Name": "nosuchfield", "Relevance": {"Importance": 5}}]),
        "freshnessOnString": code(DocumentRelevanceOverrideConfigurations=[{"Name": "department", "Relevance": {"Freshness": True}}]),
        "importance11": code(DocumentRelevanceOverrideConfigurations=[{"Name": "department", "Relevance": {"Importance": 11}}]),
        "collapseOnDate": code(CollapseConfiguration={"DocumentAttributeKey": "published"}),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
