"""Drives kendrite's ANSWER results (answers found in documents) with a real boto3 client, for
test/search-answers.test.ts.

usage: boto3_answers.py <endpoint-url>

Creates an index with three documents (one for the finance group only) and prints one JSON object
of what boto3 returned. It asserts nothing: the node test compares the whole report.
"""
import json
import sys

from boto3_scenario import active_index, client
from boto3_search_features import indexed

DOCS = [
    ("rotate", "Rotating API keys", "To rotate an API key, open the console and choose Rotate. Keys expire after ninety days.", {}),
    ("history", "Company history", "Acme was founded by Jane Doe in 1999 in Seattle. It makes rockets.", {}),
    ("budget", "Budget approval", "The finance team approves the budget in March. Quarterly statements follow.",
     {"AccessControlList": [{"Name": "finance", "Type": "GROUP", "Access": "ALLOW"}]}),
]


def answer_of(r):
    """The ANSWER result as the report shows it (its Id and FeedbackToken are random)."""
    a = [i for i in r["ResultItems"] if i["Type"] == "ANSWER"]
    if not a:
        return None
    return {k: v for k, v in a[0].items() if k not in ("Id", "FeedbackToken")}


def types(r):
    return [[i["Type"], i["DocumentId"]] for i in r["ResultItems"]]


def main(url):
    k = client(url)
    index_id = active_index(k, "boto3-answers")
    k.batch_put_document(IndexId=index_id, Documents=[{"Id": i, "Title": t, "Blob": b.encode(), "ContentType": "PLAIN_TEXT", **extra} for i, t, b, extra in DOCS])
    indexed(k, index_id, [d[0] for d in DOCS])
    out = {}
    r = k.query(IndexId=index_id, QueryText="How do I rotate an API key?")
    out["rotate"] = types(r)
    out["rotateAnswer"] = answer_of(r)
    out["who"] = answer_of(k.query(IndexId=index_id, QueryText="Who founded Acme?"))["AdditionalAttributes"]
    out["notQuestion"] = types(k.query(IndexId=index_id, QueryText="rotate API key"))
    out["weak"] = types(k.query(IndexId=index_id, QueryText="When does Acme make rockets?"))
    out["answerOnly"] = types(k.query(IndexId=index_id, QueryText="Who founded Acme?", QueryResultTypeFilter="ANSWER"))
    out["documentOnly"] = types(k.query(IndexId=index_id, QueryText="Who founded Acme?", QueryResultTypeFilter="DOCUMENT"))
    budget = "When does the finance team approve the budget?"
    out["budgetAnonymous"] = types(k.query(IndexId=index_id, QueryText=budget))
    out["budgetFinance"] = types(k.query(IndexId=index_id, QueryText=budget, UserContext={"Groups": ["finance"]}))
    out["french"] = types(k.query(IndexId=index_id, QueryText="Who founded Acme?", AttributeFilter={"EqualsTo": {"Key": "_language_code", "Value": {"StringValue": "fr"}}}))
    return out


if __name__ == "__main__":
    json.dump(main(sys.argv[1]), sys.stdout)
