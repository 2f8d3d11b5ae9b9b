"""The contract as an integrator uses it: /openapi.json is a valid OpenAPI 3.1 document, and a
client built from it alone (the operation's path and method, its required fields, its schemas)
files a PQR and looks it up, each answer validated against the document's schema."""
import json
import urllib.error
import urllib.request

import jsonschema
from openapi_spec_validator import validate

from conftest import get_json


def call(base, method, path, body):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method.upper(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode())


def operation(doc, operation_id):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if op.get("operationId") == operation_id:
                return path, method, op
    raise AssertionError(f"{operation_id} is not in the document")


def schema_of(doc, op, status):
    schema = op["responses"][str(status)]["content"]["application/json"]["schema"]
    # The document's components travel with the schema, so its $refs resolve.
    return {**schema, "components": doc["components"]}


def test_a_client_from_the_document_files_and_looks_up_a_pqr(ema_server):
    status, doc = get_json(ema_server + "/openapi.json")
    assert status == 200
    validate(doc)
    assert doc["openapi"] == "3.1.0"

    path, method, op = operation(doc, "filePQR")
    request_schema = op["requestBody"]["content"]["application/json"]["schema"]
    filing_schema = doc["components"]["schemas"][request_schema["$ref"].rsplit("/", 1)[1]]
    assert set(filing_schema["required"]) == {"type", "description"}
    body = {"type": "peticion", "description": "Quiero saber cuándo cambian el medidor de mi casa.",
            "name": "Integrador De Prueba", "municipality": "Medellín"}
    jsonschema.validate(body, {**request_schema, "components": doc["components"]})
    status, filed = call(ema_server, method, path, body)
    assert status == 201, filed
    jsonschema.validate(filed, schema_of(doc, op, 201))

    path, method, op = operation(doc, "lookupPQR")
    status, found = call(ema_server, method, path, {"radicado": filed["radicado"], "code": filed["code"]})
    assert status == 200, found
    jsonschema.validate(found, schema_of(doc, op, 200))
    assert found["radicado"] == filed["radicado"] and found["status"] == "radicado"

    # A documented error, in the documented shape.
    status, error = call(ema_server, method, path, {"radicado": filed["radicado"], "code": "ZZZZZZ"})
    assert status == 404
    jsonschema.validate(error, schema_of(doc, op, 404))
    assert error["error"] is True and error["code"] == "case_not_found"
