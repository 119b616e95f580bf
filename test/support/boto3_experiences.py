"""Drives kendrite's Experience operations with a real boto3 client, for test/experiences.test.ts.

usage: boto3_experiences.py <endpoint-url> <index-id>

Prints one JSON object of what boto3 returned (timestamps replaced by "<datetime>", never a time)
and each error's code as boto3 surfaces it; the node test asserts every value.
"""
import json
import sys
import time

from boto3_scenario import client, error_of, plain

USER = "11111111-1111-1111-1111-111111111111"
GROUP = "22222222-2222-2222-2222-222222222222"


def code(call):
    return error_of(call)["code"]


def main(url, index_id):
    k = client(url)
    out = {}
    exp_id = k.create_experience(Name="boto-app", IndexId=index_id, Description="from boto3")["Id"]
    out["created"] = k.describe_experience(Id=exp_id, IndexId=index_id)["Status"]
    for _ in range(400):
        if k.describe_experience(Id=exp_id, IndexId=index_id)["Status"] == "ACTIVE":
            break
        time.sleep(0.025)
    out["describe"] = plain(k.describe_experience(Id=exp_id, IndexId=index_id))
    out["describe"]["Id"] = "<id>" if out["describe"]["Id"] == exp_id else out["describe"]["Id"]
    out["associate"] = plain(k.associate_entities_to_experience(
        Id=exp_id, IndexId=index_id, EntityList=[{"EntityId": USER, "EntityType": "USER"}, {"EntityId": GROUP, "EntityType": "GROUP"}]))
    out["associate_again"] = plain(k.associate_entities_to_experience(
        Id=exp_id, IndexId=index_id, EntityList=[{"EntityId": USER, "EntityType": "USER"}]))
    out["personas"] = plain(k.associate_personas_to_entities(Id=exp_id, IndexId=index_id, Personas=[{"EntityId": USER, "Persona": "OWNER"}]))
    out["list_personas"] = plain(k.list_entity_personas(Id=exp_id, IndexId=index_id))
    out["list_entities"] = plain(k.list_experience_entities(Id=exp_id, IndexId=index_id))
    out["bad_entity_id"] = code(lambda: k.associate_entities_to_experience(
        Id=exp_id, IndexId=index_id, EntityList=[{"EntityId": "not-a-uuid", "EntityType": "USER"}]))
    out["unknown"] = code(lambda: k.describe_experience(Id="00000000-0000-0000-0000-000000000000", IndexId=index_id))
    k.delete_experience(Id=exp_id, IndexId=index_id)
    out["deleting"] = k.describe_experience(Id=exp_id, IndexId=index_id)["Status"]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
