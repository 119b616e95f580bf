"""Drives kendrite's FAQs, featured results, thesaurus and spell correction with a real boto3 client,
for test/search-features.test.ts.

usage: boto3_search_features.py <endpoint-url> <s3-endpoint-url>

Puts the FAQ and thesaurus files in S3 (moto), creates an index with four documents, and prints one
JSON object of what boto3 returned (times replaced, see boto3_scenario.plain). It asserts nothing:
the node test compares the whole report.
"""
import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

from boto3_scenario import ROLE, active_index, client, plain, watch

FAQ_CSV = 'How do I rotate an API key?,Open the console and choose Rotate.,https://example.com/faq/rotate\n'
THESAURUS = "# synonyms\nML => machine learning\nholiday, vacation\n"
DOCS = [
    ("vacation", "Vacation policy", "Employees accrue vacation days monthly."),
    ("ml", "Machine learning models", "Our machine learning models are retrained every week."),
    ("rotate", "Rotating API keys", "To rotate an API key, open the console."),
    ("onboarding", "Onboarding guide", "New hires complete onboarding in their first week."),
]


def indexed(k, index_id, ids):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        statuses = k.batch_get_document_status(IndexId=index_id, DocumentInfoList=[{"DocumentId": i} for i in ids])["DocumentStatusList"]
        if all(s["DocumentStatus"] == "INDEXED" for s in statuses):
            return
        time.sleep(0.05)


def items(r, key="ResultItems"):
    return [[i["Type"], "faq" if i["Type"] == "QUESTION_ANSWER" else i["DocumentId"]] for i in r.get(key, [])]


def main(url, s3_url):
    s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
    s3.create_bucket(Bucket="boto3-features")
    s3.put_object(Bucket="boto3-features", Key="faq.csv", Body=FAQ_CSV.encode())
    s3.put_object(Bucket="boto3-features", Key="synonyms.txt", Body=THESAURUS.encode())
    k = client(url)
    index_id = active_index(k, "boto3-features")
    k.batch_put_document(IndexId=index_id, Documents=[{"Id": i, "Title": t, "Blob": b.encode(), "ContentType": "PLAIN_TEXT"} for i, t, b in DOCS])
    indexed(k, index_id, [d[0] for d in DOCS])
    out = {}

    faq_id = k.create_faq(IndexId=index_id, Name="basic", RoleArn=ROLE, S3Path={"Bucket": "boto3-features", "Key": "faq.csv"}, FileFormat="CSV")["Id"]
    out["faqStates"] = watch(k.describe_faq, ("ACTIVE", "FAILED"), IndexId=index_id, Id=faq_id)
    out["faqList"] = plain(k.list_faqs(IndexId=index_id))["FaqSummaryItems"]
    r = k.query(IndexId=index_id, QueryText="How do I rotate an API key?")
    out["faqQuery"] = items(r)
    qa = next(i for i in r["ResultItems"] if i["Type"] == "QUESTION_ANSWER")
    out["faqAttributes"] = qa["AdditionalAttributes"]
    out["faqConfidence"] = qa["ScoreAttributes"]
    k.delete_faq(IndexId=index_id, Id=faq_id)
    out["faqAfterDelete"] = items(k.query(IndexId=index_id, QueryText="How do I rotate an API key?"))

    created = k.create_featured_results_set(IndexId=index_id, FeaturedResultsSetName="launch", QueryTexts=["vacation policy"], FeaturedDocuments=[{"Id": "onboarding"}])
    set_id = created["FeaturedResultsSet"]["FeaturedResultsSetId"]
    r = k.query(IndexId=index_id, QueryText="vacation policy")
    out["featured"] = items(r, "FeaturedResultsItems")
    out["featuredResults"] = items(r)
    try:
        k.create_featured_results_set(IndexId=index_id, FeaturedResultsSetName="again", QueryTexts=["Vacation Policy"], FeaturedDocuments=[{"Id": "ml"}])
        out["conflict"] = "OK"
    except ClientError as e:
        out["conflict"] = {"code": e.response["Error"]["Code"], "items": e.response.get("ConflictingItems"), "isSet": e.response["ConflictingItems"][0]["SetId"] == set_id}
    out["featuredDelete"] = k.batch_delete_featured_results_set(IndexId=index_id, FeaturedResultsSetIds=[set_id])["Errors"]

    th_id = k.create_thesaurus(IndexId=index_id, Name="synonyms", RoleArn=ROLE, SourceS3Path={"Bucket": "boto3-features", "Key": "synonyms.txt"})["Id"]
    out["thesaurusStates"] = watch(k.describe_thesaurus, ("ACTIVE", "FAILED"), IndexId=index_id, Id=th_id)
    t = k.describe_thesaurus(IndexId=index_id, Id=th_id)
    out["thesaurusCounts"] = [t["FileSizeBytes"], t["TermCount"], t["SynonymRuleCount"]]
    r = k.query(IndexId=index_id, QueryText="ML")
    out["thesaurusQuery"] = items(r)
    out["thesaurusTitle"] = r["ResultItems"][0]["DocumentTitle"]
    out["holiday"] = items(k.query(IndexId=index_id, QueryText="holiday"))
    k.delete_thesaurus(IndexId=index_id, Id=th_id)

    r = k.query(IndexId=index_id, QueryText="vacaton polcy", SpellCorrectionConfiguration={"IncludeQuerySpellCheckSuggestions": True})
    out["spell"] = r["SpellCorrectedQueries"]
    return out


if __name__ == "__main__":
    json.dump(main(sys.argv[1], sys.argv[2]), sys.stdout)
