"""Drives kendrite with a real boto3 client, for test/boto3.test.ts.

usage: boto3_scenario.py <endpoint-url> <scenario>
scenario: indices | data-sources | tags | sync | errors

Prints one JSON object: what boto3 returned (ResponseMetadata removed, timestamps replaced by
"<datetime>" so that no time is ever asserted) and, for each error, the code, HTTP status and
message exactly as boto3 surfaces them. The node test asserts every value; this script asserts
nothing, so that a wrong answer shows up as a diff there.

parameter_validation is off so that the server's own ValidationException is what boto3 reports.
"""
import datetime
import json
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::000000000000:role/kendra"
ACCOUNT = "000000000000"
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"
FINAL_JOB_STATES = ("SUCCEEDED", "INCOMPLETE", "FAILED", "ABORTED")


def client(url, region="us-east-1"):
    return boto3.client(
        "kendra",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="x",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


def plain(value):
    """A response as JSON data: no ResponseMetadata, datetimes as a marker (never a time)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, datetime.datetime):
        return "<datetime>"
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def error_of(call, **kwargs):
    """The error a call raises, as boto3 surfaces it; {"code": "OK"} when it succeeds."""
    try:
        call(**kwargs)
    except ClientError as e:
        meta = e.response["ResponseMetadata"]
        return {
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": meta["HTTPStatusCode"],
            "requestId": meta.get("RequestId"),
        }
    return {"code": "OK"}


def id_or_error(call, **kwargs):
    """The Id a Create* call returns, or the code of the error it raises."""
    try:
        return call(**kwargs)["Id"]
    except ClientError as e:
        return e.response["Error"]["Code"]


def state(call, **kwargs):
    """A resource's Status, or the error code once describing it fails."""
    try:
        return call(**kwargs)["Status"]
    except ClientError as e:
        return e.response["Error"]["Code"]


def watch(call, until, timeout=15.0, **kwargs):
    """A client's wait loop: polls until the state is in `until`; returns the distinct states seen, in order."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        s = state(call, **kwargs)
        if not seen or seen[-1] != s:
            seen.append(s)
        if s in until or time.monotonic() > deadline:
            return seen
        time.sleep(0.02)


def active_index(k, name):
    index_id = k.create_index(Name=name, RoleArn=ROLE)["Id"]
    watch(k.describe_index, ("ACTIVE",), Id=index_id)
    return index_id


def active_custom(k, index_id, name):
    ds = k.create_data_source(IndexId=index_id, Name=name, Type="CUSTOM")["Id"]
    watch(k.describe_data_source, ("ACTIVE",), IndexId=index_id, Id=ds)
    return ds


def index_arn(region, index_id):
    return f"arn:aws:kendra:{region}:{ACCOUNT}:index/{index_id}"


def scenario_indices(url):
    # A region of its own, so that ListIndices sees exactly the indices created here.
    region = "eu-west-2"
    k = client(url, region)
    out = {}
    created = k.create_index(
        Name="boto-docs", RoleArn=ROLE, Description="the docs", Edition="DEVELOPER_EDITION", Tags=[{"Key": "team", "Value": "search"}]
    )
    index_id = out["indexId"] = created["Id"]
    out["createStates"] = watch(k.describe_index, ("ACTIVE", "FAILED"), Id=index_id)
    out["describe"] = plain(k.describe_index(Id=index_id))
    out["tags"] = k.list_tags_for_resource(ResourceARN=index_arn(region, index_id))["Tags"]

    # I-2: the same ClientToken and input → the same index; another input → ConflictException.
    first = k.create_index(Name="boto-idem", RoleArn=ROLE, ClientToken="boto-token-1")["Id"]
    again = id_or_error(k.create_index, Name="boto-idem", RoleArn=ROLE, ClientToken="boto-token-1")
    out["idempotent"] = {"first": first, "again": again}
    out["tokenReuse"] = error_of(k.create_index, Name="boto-other", RoleArn=ROLE, ClientToken="boto-token-1")

    extra = [k.create_index(Name=f"boto-page-{i}", RoleArn=ROLE)["Id"] for i in range(3)]
    out["allIds"] = sorted([index_id, first] + extra)
    pages, token = [], None
    while True:
        page = k.list_indices(MaxResults=2, **({"NextToken": token} if token else {}))
        token = page.get("NextToken")
        pages.append({"ids": [s["Id"] for s in page["IndexConfigurationSummaryItems"]], "hasNextToken": token is not None})
        if not token:
            break
    out["pages"] = pages

    k.update_index(Id=index_id, Name="boto-renamed", Description="renamed")
    out["updateStates"] = watch(k.describe_index, ("ACTIVE", "FAILED"), Id=index_id)
    updated = k.describe_index(Id=index_id)
    out["updated"] = {"Name": updated["Name"], "Description": updated["Description"], "Edition": updated["Edition"]}

    # DELETING, then gone.
    k.delete_index(Id=index_id)
    out["deleteStates"] = watch(k.describe_index, ("ResourceNotFoundException",), Id=index_id)
    out["deleteGone"] = error_of(k.delete_index, Id=index_id)["code"]
    out["otherRegion"] = client(url, "ap-southeast-2").list_indices()["IndexConfigurationSummaryItems"]
    return out


def scenario_data_sources(url):
    k = client(url)
    out = {}
    # a data source on an index that is still CREATING.
    creating = k.create_index(Name="boto-creating", RoleArn=ROLE)["Id"]
    out["onCreatingIndex"] = error_of(k.create_data_source, IndexId=creating, Name="ds", Type="CUSTOM")["code"]

    index_id = out["indexId"] = active_index(k, "boto-ds")
    custom = out["customId"] = k.create_data_source(IndexId=index_id, Name="boto-custom", Type="CUSTOM", Description="pushed")["Id"]
    out["customStates"] = watch(k.describe_data_source, ("ACTIVE", "FAILED"), IndexId=index_id, Id=custom)
    out["customDescribe"] = plain(k.describe_data_source(IndexId=index_id, Id=custom))

    s3 = out["s3Id"] = k.create_data_source(
        IndexId=index_id,
        Name="boto-s3",
        Type="S3",
        RoleArn=ROLE,
        Configuration={
            "S3Configuration": {
                "BucketName": "boto-bucket",
                "InclusionPrefixes": ["docs/", "manuals/"],
                "ExclusionPatterns": ["*.tmp"],
                "DocumentsMetadataConfiguration": {"S3Prefix": "meta/"},
            }
        },
        Schedule="cron(0 12 * * ? *)",
        Description="bucket",
        LanguageCode="en",
    )["Id"]
    out["s3States"] = watch(k.describe_data_source, ("ACTIVE", "FAILED"), IndexId=index_id, Id=s3)
    out["s3Describe"] = plain(k.describe_data_source(IndexId=index_id, Id=s3))

    out["duplicateName"] = error_of(k.create_data_source, IndexId=index_id, Name="boto-custom", Type="CUSTOM")["code"]
    first = k.create_data_source(IndexId=index_id, Name="boto-idem", Type="CUSTOM", ClientToken="boto-ds-token")["Id"]
    again = id_or_error(k.create_data_source, IndexId=index_id, Name="boto-idem", Type="CUSTOM", ClientToken="boto-ds-token")
    out["idempotent"] = {"first": first, "again": again}
    out["tokenReuse"] = error_of(k.create_data_source, IndexId=index_id, Name="boto-idem-2", Type="CUSTOM", ClientToken="boto-ds-token")["code"]

    pages, token = [], None
    while True:
        page = k.list_data_sources(IndexId=index_id, MaxResults=2, **({"NextToken": token} if token else {}))
        token = page.get("NextToken")
        pages.append({"names": [s["Name"] for s in page["SummaryItems"]], "hasNextToken": token is not None})
        if not token:
            break
    out["pages"] = pages

    k.update_data_source(
        IndexId=index_id,
        Id=s3,
        Configuration={"S3Configuration": {"BucketName": "boto-bucket-2", "InclusionPatterns": ["*.pdf"]}},
        Schedule="cron(30 6 ? * MON-FRI *)",
        Description="moved",
    )
    out["updateStates"] = watch(k.describe_data_source, ("ACTIVE", "FAILED"), IndexId=index_id, Id=s3)
    updated = k.describe_data_source(IndexId=index_id, Id=s3)
    out["updated"] = {k_: updated.get(k_) for k_ in ("Configuration", "Schedule", "Description", "LanguageCode", "RoleArn", "Name")}

    k.delete_data_source(IndexId=index_id, Id=custom)
    out["deleteStates"] = watch(k.describe_data_source, ("ResourceNotFoundException",), IndexId=index_id, Id=custom)
    out["namesAfterDelete"] = sorted(s["Name"] for s in k.list_data_sources(IndexId=index_id)["SummaryItems"])
    return out


def scenario_tags(url):
    k = client(url)
    out = {}
    index_id = out["indexId"] = active_index(k, "boto-tags")
    ds = out["dataSourceId"] = active_custom(k, index_id, "boto-tagged")
    ix_arn = index_arn("us-east-1", index_id)
    ds_arn = f"{ix_arn}/data-source/{ds}"
    k.tag_resource(ResourceARN=ix_arn, Tags=[{"Key": "env", "Value": "test"}])
    k.tag_resource(ResourceARN=ds_arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    k.tag_resource(ResourceARN=ds_arn, Tags=[{"Key": "a", "Value": "3"}])
    out["indexTags"] = k.list_tags_for_resource(ResourceARN=ix_arn)["Tags"]
    out["dataSourceTags"] = k.list_tags_for_resource(ResourceARN=ds_arn)["Tags"]
    k.untag_resource(ResourceARN=ds_arn, TagKeys=["a", "not-there"])
    out["afterUntag"] = k.list_tags_for_resource(ResourceARN=ds_arn)["Tags"]
    out["unknownArn"] = error_of(k.list_tags_for_resource, ResourceARN=ds_arn + "x")["code"]
    out["foreignArn"] = error_of(k.tag_resource, ResourceARN="arn:aws:s3:::bucket", Tags=[{"Key": "a", "Value": "b"}])["code"]
    return out


def doc(doc_id, text, ds, job=None, **extra):
    attributes = [{"Key": "_data_source_id", "Value": {"StringValue": ds}}]
    if job:
        attributes.append({"Key": "_data_source_sync_job_execution_id", "Value": {"StringValue": job}})
    d = {"Id": doc_id, "Blob": text.encode("utf-8"), "ContentType": "PLAIN_TEXT", "Title": f"Title {doc_id}", "Attributes": attributes}
    d.update(extra)
    return d


def job_of(k, index_id, ds, execution_id):
    token = None
    while True:
        page = k.list_data_source_sync_jobs(IndexId=index_id, Id=ds, **({"NextToken": token} if token else {}))
        for j in page["History"]:
            if j["ExecutionId"] == execution_id:
                return j
        token = page.get("NextToken")
        if not token:
            return None


def finished_job(k, index_id, ds, execution_id, timeout=15.0):
    """Polls ListDataSourceSyncJobs until the job is final (the states on the way depend on timing)."""
    deadline = time.monotonic() + timeout
    while True:
        j = job_of(k, index_id, ds, execution_id)
        if (j and j["Status"] in FINAL_JOB_STATES) or time.monotonic() > deadline:
            return plain(j)
        time.sleep(0.02)


def statistics(k, index_id):
    return k.describe_index(Id=index_id)["IndexStatistics"]["TextDocumentStatistics"]


def scenario_sync(url):
    k = client(url)
    out = {}
    index_id = out["indexId"] = active_index(k, "boto-sync")
    ds = out["dataSourceId"] = active_custom(k, index_id, "boto-flow")

    job1 = out["job1"] = k.start_data_source_sync_job(IndexId=index_id, Id=ds)["ExecutionId"]
    out["syncing"] = plain(job_of(k, index_id, ds, job1))
    out["secondStart"] = error_of(k.start_data_source_sync_job, IndexId=index_id, Id=ds)["code"]

    # Job 1: d0..d29 (Blob as bytes, non-ASCII included), d0 again, d28/d29/never-existed deleted.
    texts = {f"d{i}": f"document number {i} about kendrite, café ü {i}" for i in range(30)}
    put_failed = []
    for b in range(3):
        batch = [doc(f"d{i}", texts[f"d{i}"], ds, job1) for i in range(b * 10, b * 10 + 10)]
        put_failed.append(k.batch_put_document(IndexId=index_id, Documents=batch)["FailedDocuments"])
    texts["d0"] = "document number 0 changed"
    put_failed.append(k.batch_put_document(IndexId=index_id, Documents=[doc("d0", texts["d0"], ds, job1)])["FailedDocuments"])
    out["job1PutFailed"] = put_failed
    out["job1DeleteFailed"] = k.batch_delete_document(
        IndexId=index_id,
        DocumentIdList=["d28", "d29", "never-existed"],
        DataSourceSyncJobMetricTarget={"DataSourceId": ds, "DataSourceSyncJobId": job1},
    )["FailedDocuments"]
    del texts["d28"], texts["d29"]
    out["stop1"] = plain(k.stop_data_source_sync_job(IndexId=index_id, Id=ds))
    out["job1Done"] = finished_job(k, index_id, ds, job1)
    out["statistics1"] = statistics(k, index_id)
    out["expectedBytes1"] = sum(len(t.encode("utf-8")) for t in texts.values())

    # Job 2: d0..d4 changed, d5..d9 unchanged, n0..n3 new, d10..d12 deleted.
    job2 = out["job2"] = k.start_data_source_sync_job(IndexId=index_id, Id=ds)["ExecutionId"]
    changed = [doc(f"d{i}", f"document number {i} rewritten", ds, job2) for i in range(5)]
    unchanged = [doc(f"d{i}", texts[f"d{i}"], ds, job2) for i in range(5, 10)]
    fresh = [doc(f"n{i}", f"new document {i}", ds, job2) for i in range(4)]
    out["job2PutFailed"] = [
        k.batch_put_document(IndexId=index_id, Documents=changed + unchanged)["FailedDocuments"],
        k.batch_put_document(IndexId=index_id, Documents=fresh)["FailedDocuments"],
    ]
    out["job2DeleteFailed"] = k.batch_delete_document(
        IndexId=index_id,
        DocumentIdList=["d10", "d11", "d12"],
        DataSourceSyncJobMetricTarget={"DataSourceId": ds, "DataSourceSyncJobId": job2},
    )["FailedDocuments"]
    k.stop_data_source_sync_job(IndexId=index_id, Id=ds)
    out["job2Done"] = finished_job(k, index_id, ds, job2)
    out["statistics2"] = statistics(k, index_id)

    status = k.batch_get_document_status(
        IndexId=index_id, DocumentInfoList=[{"DocumentId": d} for d in ("d0", "d5", "n0", "d10", "d29", "never-existed")]
    )
    out["documentStatus"] = {s["DocumentId"]: s["DocumentStatus"] for s in status["DocumentStatusList"]}
    out["documentStatusErrors"] = status["Errors"]

    # S-LIST-2/3: newest first, one per page, no NextToken after the last one.
    first = k.list_data_source_sync_jobs(IndexId=index_id, Id=ds, MaxResults=1)
    second = k.list_data_source_sync_jobs(IndexId=index_id, Id=ds, MaxResults=1, NextToken=first["NextToken"])
    out["pagedIds"] = [first["History"][0]["ExecutionId"], second["History"][0]["ExecutionId"]]
    out["lastPageHasNextToken"] = "NextToken" in second
    out["succeededCount"] = len(k.list_data_source_sync_jobs(IndexId=index_id, Id=ds, StatusFilter="SUCCEEDED")["History"])
    out["failedCount"] = len(k.list_data_source_sync_jobs(IndexId=index_id, Id=ds, StatusFilter="FAILED")["History"])
    # S-JOB-2: a stop with nothing running succeeds and changes nothing.
    out["idleStop"] = error_of(k.stop_data_source_sync_job, IndexId=index_id, Id=ds)["code"]
    out["jobCountAfterIdleStop"] = len(k.list_data_source_sync_jobs(IndexId=index_id, Id=ds)["History"])

    # deleting the index ends in ResourceNotFoundException for it and its history.
    k.delete_index(Id=index_id)
    out["deleteStates"] = watch(k.describe_index, ("ResourceNotFoundException",), Id=index_id)
    out["historyAfterDelete"] = error_of(k.list_data_source_sync_jobs, IndexId=index_id, Id=ds)["code"]
    return out


def scenario_errors(url):
    # A region of its own, so that ListIndices shows exactly what this scenario created.
    k = client(url, "ca-central-1")
    out = {"validation": {}, "notFound": {}}
    index_id = out["indexId"] = active_index(k, "boto-errors")
    ds = out["dataSourceId"] = active_custom(k, index_id, "boto-errors-ds")
    other = out["otherIndexId"] = active_index(k, "boto-errors-other")
    v = out["validation"]
    v["maxResults11"] = error_of(k.list_data_source_sync_jobs, IndexId=index_id, Id=ds, MaxResults=11)
    v["badEdition"] = error_of(k.create_index, Name="bad-enum", RoleArn=ROLE, Edition="PLATINUM_EDITION")
    v["nameTooLong"] = error_of(k.create_index, Name="n" * 1001, RoleArn=ROLE)
    v["startAfterEnd"] = error_of(
        k.list_data_source_sync_jobs,
        IndexId=index_id,
        Id=ds,
        StartTimeFilter={"StartTime": datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc), "EndTime": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)},
    )
    v["badStatusFilter"] = error_of(k.list_data_source_sync_jobs, IndexId=index_id, Id=ds, StatusFilter="RUNNING")
    v["shortIndexId"] = error_of(k.describe_index, Id="short")
    v["tooManyDocuments"] = error_of(
        k.batch_put_document, IndexId=index_id, Documents=[doc(f"x{i}", "x", ds) for i in range(11)]
    )
    v["badNextToken"] = error_of(k.list_data_source_sync_jobs, IndexId=index_id, Id=ds, NextToken="forged")
    # P-4: a member of the wrong JSON type is the server's SerializationException.
    out["wrongType"] = error_of(k.list_data_source_sync_jobs, IndexId=index_id, Id=ds, MaxResults="ten")

    n = out["notFound"]
    n["describeIndex"] = error_of(k.describe_index, Id=UNKNOWN_ID)
    n["describeDataSource"] = error_of(k.describe_data_source, IndexId=index_id, Id=UNKNOWN_ID)
    n["listJobsUnknownIndex"] = error_of(k.list_data_source_sync_jobs, IndexId=UNKNOWN_ID, Id=ds)
    n["listJobsOtherIndex"] = error_of(k.list_data_source_sync_jobs, IndexId=other, Id=ds)
    n["startUnknownSource"] = error_of(k.start_data_source_sync_job, IndexId=index_id, Id=UNKNOWN_ID)
    n["stopOtherIndex"] = error_of(k.stop_data_source_sync_job, IndexId=other, Id=ds)
    n["deleteDataSource"] = error_of(k.delete_data_source, IndexId=index_id, Id=UNKNOWN_ID)
    n["updateIndex"] = error_of(k.update_index, Id=UNKNOWN_ID, Name="x")
    # Nothing was created by the refused calls.
    out["indexNames"] = sorted(s["Name"] for s in k.list_indices()["IndexConfigurationSummaryItems"])
    return out


SCENARIOS = {
    "indices": scenario_indices,
    "data-sources": scenario_data_sources,
    "tags": scenario_tags,
    "sync": scenario_sync,
    "errors": scenario_errors,
}

if __name__ == "__main__":
    url, name = sys.argv[1], sys.argv[2]
    json.dump(SCENARIOS[name](url), sys.stdout)
