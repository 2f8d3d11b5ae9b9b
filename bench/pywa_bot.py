"""The comparison bot of `ema-bench webhook --url`: a minimal WhatsApp bot built with pywa
(FastAPI, served by uvicorn, pywa's usual server), with signature checks on. It receives the
same signed webhooks as Ema and handles each message in a callback that does nothing (no reply
is sent), so only the acknowledgement path is compared.

    pip install "pywa[fastapi]"
    EMA_BENCH_SECRET=secreto-del-benchmark uvicorn bench.pywa_bot:app --port 8099 --log-level warning
"""
import os

from fastapi import FastAPI
from pywa import WhatsApp, types

app = FastAPI()
wa = WhatsApp(
    phone_id="106540352242922",
    token="token-de-prueba",
    server=app,
    webhook_endpoint="/webhooks/whatsapp",
    verify_token="token-verificacion",
    app_secret=os.environ.get("EMA_BENCH_SECRET", "secreto-del-benchmark"),
    validate_updates=True,
)

received = 0


@wa.on_message()
def on_message(_: WhatsApp, message: types.Message) -> None:
    global received
    received += 1
