"""The contract as an integrator uses it: /openapi.json is a valid OpenAPI 3.1 document; a
client built from it alone (the operation's path and method, its required fields, its schemas)
files a PQR and looks it up, each answer validated against the document's schema; and
schemathesis, from PyPI, throws generated requests at every operation."""
import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

import jsonschema
import pytest
from openapi_spec_validator import validate

from conftest import demo_server, get_json

ADMIN_TOKEN = "t0ken-del-contrato"


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


@pytest.fixture(scope="module")
def contract_server():
    """A demo server of its own (schemathesis files hundreds of PQR and chats; the other tests'
    limits per address stay untouched), with the admin API open to a token."""
    with demo_server({"EMA_ADMIN_TOKEN": ADMIN_TOKEN}, prefix="ema-contrato-") as base:
        yield base


def test_schemathesis_finds_no_server_error_and_every_answer_conforms(contract_server):
    """Generated requests, valid and not, to every operation of the document: no 500, every
    status documented, every body and header as documented, undeclared methods refused with
    405. (Whether a schema-valid request passes the business rules — a reclamo needs a contract —
    is not the document's to say, so those two checks are left out.)"""
    checks = ",".join(["not_a_server_error", "status_code_conformance", "content_type_conformance",
                       "response_schema_conformance", "response_headers_conformance", "unsupported_method"])
    result = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", contract_server + "/openapi.json", "--url", contract_server,
         "--checks", checks, "-H", f"Authorization: Bearer {ADMIN_TOKEN}", "--max-examples", "40",
         "--seed", "2026", "--no-color"],
        capture_output=True, text=True, timeout=600,
        # Its cache of crashes goes in a folder of its own, not the repository.
        cwd=tempfile.mkdtemp(prefix="ema-schemathesis-"),
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
