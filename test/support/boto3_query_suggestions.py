"""Drives query suggestions and analytics with a real boto3 client, for test/boto3-query-suggestions.test.ts.

usage: boto3_search_features.py <kendrite-url> <s3-endpoint-url> <scenario>
scenario: suggestions | analytics

Prints one JSON object of what boto3 returned (datetimes replaced by "<datetime>", ids by "<id>"
where they are random); the node test asserts every value.
"""
import datetime
import json
import sys
import time

import boto3

from boto3_scenario import client, error_of, plain

ROLE = "arn:aws:iam::000000000000:role/kendra"


def error(fn):
    return error_of(fn)["code"]


def active_index(k, docs):
    index_id = k.create_index(Name="boto3-features", RoleArn=ROLE)["Id"]
    while k.describe_index(Id=index_id)["Status"] != "ACTIVE":
        time.sleep(0.1)
    k.batch_put_document(IndexId=index_id, Documents=docs)
    ids = [{"DocumentId": d["Id"]} for d in docs]
    while any(s["DocumentStatus"] != "INDEXED" for s in k.batch_get_document_status(IndexId=index_id, DocumentInfoList=ids)["DocumentStatusList"]):
        time.sleep(0.1)
    return index_id


def doc(doc_id, title, body):
    return {"Id": doc_id, "Title": title, "Blob": body.encode(), "ContentType": "PLAIN_TEXT"}


def suggestions(url, s3_url):
    k = client(url)
    index_id = active_index(k, [doc("events", "Upcoming events: What's happening in 2050", "The upcoming events of 2050 and the elections.")])
    out = {"defaults": plain(k.describe_query_suggestions_config(IndexId=index_id))}
    k.update_query_suggestions_config(IndexId=index_id, MinimumQueryCount=2)
    for text in ["upcoming events 2050"] * 3 + ["upcoming elections"] * 2:
        k.query(IndexId=index_id, QueryText=text)
    got = k.get_query_suggestions(IndexId=index_id, QueryText="upcoming e")
    out["suggestions"] = [s["Value"] for s in got["Suggestions"]]
    s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket="boto3-block-lists")
    s3.put_object(Bucket="boto3-block-lists", Key="block.txt", Body=b"elections\n")
    block_id = k.create_query_suggestions_block_list(IndexId=index_id, Name="offensive-words", RoleArn=ROLE,
                                                     SourceS3Path={"Bucket": "boto3-block-lists", "Key": "block.txt"})["Id"]
    described = plain(k.describe_query_suggestions_block_list(IndexId=index_id, Id=block_id))
    described["Id"] = described["Id"] == block_id
    described["IndexId"] = described["IndexId"] == index_id
    out["blockList"] = described
    out["listed"] = [{**plain(b), "Id": b["Id"] == block_id} for b in k.list_query_suggestions_block_lists(IndexId=index_id)["BlockListSummaryItems"]]
    out["blocked"] = [s["Value"]["Text"]["Text"] for s in k.get_query_suggestions(IndexId=index_id, QueryText="upcoming e")["Suggestions"]]
    out["fields"] = [[s["Value"]["Text"]["Text"], s["SourceDocuments"]] for s in k.get_query_suggestions(
        IndexId=index_id, QueryText="upcoming", SuggestionTypes=["DOCUMENT_ATTRIBUTES"])["Suggestions"]]
    k.delete_query_suggestions_block_list(IndexId=index_id, Id=block_id)
    out["deleted"] = error(lambda: k.describe_query_suggestions_block_list(IndexId=index_id, Id=block_id))
    k.clear_query_suggestions(IndexId=index_id)
    after = k.describe_query_suggestions_config(IndexId=index_id)
    out["afterClear"] = {"TotalSuggestionsCount": after["TotalSuggestionsCount"], "LastClearTime": "LastClearTime" in after, "MinimumQueryCount": after["MinimumQueryCount"]}
    out["tooShort"] = k.get_query_suggestions(IndexId=index_id, QueryText="u")["Suggestions"]
    out["badCount"] = error(lambda: k.update_query_suggestions_config(IndexId=index_id, MinimumQueryCount=0))
    return out


def analytics(url, s3_url):
    k = client(url)
    index_id = active_index(k, [doc("travel", "Travel policy", "The travel policy.")])
    r = k.query(IndexId=index_id, QueryText="travel policy")
    k.submit_feedback(IndexId=index_id, QueryId=r["QueryId"], ClickFeedbackItems=[{"ResultId": r["ResultItems"][0]["Id"], "ClickTime": datetime.datetime.now()}])
    out = {}
    for metric in ["QUERIES_BY_COUNT", "QUERIES_BY_ZERO_CLICK_RATE", "QUERIES_BY_ZERO_RESULT_RATE", "DOCS_BY_CLICK_COUNT", "AGG_QUERY_DOC_METRICS", "TREND_QUERY_DOC_METRICS"]:
        got = k.get_snapshots(IndexId=index_id, Interval="THIS_WEEK", MetricType=metric)
        out[metric] = {"header": got["SnapshotsDataHeader"], "data": got["SnapshotsData"], "filter": sorted(got["SnapShotTimeFilter"].keys())}
    out["badInterval"] = error(lambda: k.get_snapshots(IndexId=index_id, Interval="LAST_YEAR", MetricType="QUERIES_BY_COUNT"))
    out["badToken"] = error(lambda: k.get_snapshots(IndexId=index_id, Interval="THIS_WEEK", MetricType="QUERIES_BY_COUNT", NextToken="forged"))
    return out


SCENARIOS = {"suggestions": suggestions, "analytics": analytics}

if __name__ == "__main__":
    print(json.dumps(SCENARIOS[sys.argv[3]](sys.argv[1], sys.argv[2])))
