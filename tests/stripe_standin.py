#!/usr/bin/env python3
"""A local stand-in for Stripe, for tests: the endpoints Tribune calls, with Stripe's request and response
shapes, a checkout page, and webhook delivery signed with Stripe's scheme (with retries, duplicates and
out-of-order delivery on request). Listens on 127.0.0.1 only; prints "listening on http://127.0.0.1:PORT".

  POST /v1/checkout/sessions        form-encoded, Authorization: Bearer <secret key>, Idempotency-Key
  GET  /pay/<session id>            a checkout page with a Pay button (what a browser test reaches)
  POST /pay/<session id>            pays: delivers the events of a successful payment, redirects to success_url
  POST /_test/config                {"webhook_url": ...} where events go; {"session_id": "cs_..."} makes every
                                    new session take that id (a provider answering with a reused id)
  POST /_test/sessions/<id>/events  {"scenario": ..., "duplicate": bool, "reverse": bool}: delivers that
                                    scenario's events and answers what was delivered and Tribune's answers
  GET  /_test/sessions/<id>         the session as stored here
  DELETE /v1/subscriptions/<id>     cancels a subscription now (404 when unknown or already cancelled), then
                                    delivers customer.subscription.deleted
  GET  /_test/cancels               the subscriptions cancelled so far
Scenarios: paid, async_pending, async_succeeded, async_failed, subscription, renewal, payment_failed,
subscription_canceled, refund.
"""
import argparse
import hashlib
import hmac
import itertools
import json
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counter = itertools.count(1)
lock = threading.Lock()
sessions = {}
cancels = []  # subscriptions cancelled through DELETE /v1/subscriptions/{id}, in order (GET /_test/cancels)
idempotent = {}
state = {"webhook_url": None}


def new_id(prefix):
    return f"{prefix}_test_{next(counter):06d}"


def sign(secret, payload):
    t = int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def event(kind, obj):
    return {"id": new_id("evt"), "object": "event", "api_version": "2024-06-20", "created": int(time.time()),
            "type": kind, "livemode": False, "data": {"object": obj}}


def scenario_events(s, scenario):
    """The events Stripe sends for one scenario on session s, in Stripe's usual order."""
    meta = s["metadata"]
    completed = dict(s, status="complete", payment_status="paid",
                     customer=s.get("customer") or new_id("cus"),
                     customer_details={"email": s.get("customer_email") or "reader@example.org"})
    if s["mode"] == "payment":
        completed["payment_intent"] = s.setdefault("payment_intent", new_id("pi"))
    else:
        completed["subscription"] = s.setdefault("subscription", new_id("sub"))
    sub = {"id": s.get("subscription"), "object": "subscription", "status": "active",
           "customer": completed["customer"], "metadata": s.get("subscription_metadata", {})}
    invoice = {"id": new_id("in"), "object": "invoice", "subscription": s.get("subscription"),
               "amount_paid": s["amount_total"], "currency": s["currency"], "customer": completed["customer"],
               "customer_email": completed["customer_details"]["email"], "status": "paid",
               "subscription_details": {"metadata": s.get("subscription_metadata", {})}}
    if scenario == "paid":
        return [event("checkout.session.completed", completed)]
    if scenario == "async_pending":
        return [event("checkout.session.completed", dict(completed, payment_status="unpaid"))]
    if scenario == "async_succeeded":
        return [event("checkout.session.async_payment_succeeded", completed)]
    if scenario == "async_failed":
        return [event("checkout.session.async_payment_failed", dict(completed, payment_status="unpaid"))]
    if scenario in ("subscription", "renewal"):
        s["last_invoice"] = invoice["id"]
    if scenario == "subscription":
        return [event("checkout.session.completed", completed), event("invoice.paid", invoice),
                event("customer.subscription.updated", sub)]
    if scenario == "renewal":
        return [event("invoice.paid", invoice)]
    if scenario == "payment_failed":
        return [event("invoice.payment_failed", dict(invoice, amount_paid=0, status="open")),
                event("customer.subscription.updated", dict(sub, status="past_due"))]
    if scenario == "subscription_canceled":
        return [event("customer.subscription.deleted", dict(sub, status="canceled"))]
    if scenario == "refund":
        charge = {"id": new_id("ch"), "object": "charge", "payment_intent": s.get("payment_intent"),
                  "amount": s["amount_total"], "amount_refunded": s["amount_total"], "currency": s["currency"],
                  "refunded": True, "invoice": s.get("last_invoice") if s["mode"] == "subscription" else None,
                  "metadata": s.get("payment_intent_metadata", {})}
        return [event("charge.refunded", charge)]
    raise ValueError(f"unknown scenario {scenario}")


def deliver(events, secret, duplicate=False, reverse=False):
    order = list(reversed(events)) if reverse else list(events)
    if duplicate:
        order = [e for e in order for _ in (0, 1)]
    results = []
    for e in order:
        payload = json.dumps(e, separators=(",", ":"))
        status = None
        for attempt in range(4):  # Stripe retries failed deliveries (with backoff; short here)
            req = urllib.request.Request(state["webhook_url"], data=payload.encode(), method="POST", headers={
                "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": sign(secret, payload),
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
            try:
                with urllib.request.urlopen(req, timeout=10) as r:
                    status = r.status
                    body = r.read().decode()
            except urllib.error.HTTPError as err:
                status, body = err.code, err.read().decode()
            except OSError as err:
                status, body = 0, str(err)
            if 200 <= status < 300:
                break
            time.sleep(0.2 * (attempt + 1))
        results.append({"id": e["id"], "type": e["type"], "status": status, "attempts": attempt + 1, "answer": body})
    return results


class Handler(BaseHTTPRequestHandler):
    server_version = "StripeStandIn/1.0"

    def log_message(self, *args):
        pass

    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def stripe_error(self, status, message, param=None, kind="invalid_request_error"):
        err = {"type": kind, "message": message}
        if param:
            err["param"] = param
        self.send_json(status, {"error": err})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n).decode() if n else ""

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path.startswith("/pay/"):
            s = sessions.get(path[5:])
            if not s:
                return self.send_json(404, {"error": {"message": "No such checkout session"}})
            amount = f"{s['amount_total'] / 100:.2f} {s['currency'].upper()}"
            what = "per month" if s["mode"] == "subscription" else "once"
            page = (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Test checkout</title></head><body>"
                    f"<h1>Test checkout</h1><p id=amount>{amount} {what}</p><p id=product>{s['product']}</p>"
                    f"<form method=post><button id=pay type=submit>Pay</button></form></body></html>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            return self.wfile.write(page)
        if path == "/_test/cancels":
            return self.send_json(200, {"cancels": cancels})
        if path.startswith("/_test/sessions/"):
            s = sessions.get(path.rsplit("/", 1)[1])
            return self.send_json(200 if s else 404, s or {})
        self.send_json(404, {"error": {"message": "Unrecognized request URL"}})

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        raw = self.body()
        if path == "/v1/checkout/sessions":
            return self.create_session(raw)
        if path == "/_test/config":
            state.update(json.loads(raw))
            return self.send_json(200, state)
        if path.startswith("/_test/sessions/") and path.endswith("/events"):
            sid = path.split("/")[3]
            s = sessions.get(sid)
            if not s:
                return self.send_json(404, {"error": "no such session"})
            opts = json.loads(raw or "{}")
            events = scenario_events(s, opts.get("scenario", "paid"))
            return self.send_json(200, {"delivered": deliver(events, self.server.webhook_secret,
                                                             opts.get("duplicate", False), opts.get("reverse", False))})
        if path.startswith("/pay/"):
            s = sessions.get(path[5:])
            if not s:
                return self.send_json(404, {"error": "no such session"})
            deliver(scenario_events(s, "paid" if s["mode"] == "payment" else "subscription"), self.server.webhook_secret)
            self.send_response(303)
            self.send_header("Location", s["success_url"].replace("{CHECKOUT_SESSION_ID}", s["id"]))
            self.send_header("Content-Length", "0")
            return self.end_headers()
        self.send_json(404, {"error": {"message": "Unrecognized request URL"}})

    def do_DELETE(self):
        # DELETE /v1/subscriptions/{id}: cancels at once, answers the subscription, and (as Stripe does) sends
        # customer.subscription.deleted a moment later, after this answer is back with the caller.
        path = urllib.parse.urlparse(self.path).path
        if not path.startswith("/v1/subscriptions/"):
            return self.send_json(404, {"error": {"message": "Unrecognized request URL"}})
        if self.headers.get("Authorization") != f"Bearer {self.server.secret_key}":
            return self.stripe_error(401, "Invalid API Key provided", kind="authentication_error")
        sub_id = urllib.parse.unquote(path.rsplit("/", 1)[1])
        s = next((x for x in sessions.values() if x.get("subscription") == sub_id), None)
        if not s or s.get("subscription_status") == "canceled":
            return self.stripe_error(404, f"No such subscription: '{sub_id}'", param="id")
        s["subscription_status"] = "canceled"
        cancels.append(sub_id)
        events = scenario_events(s, "subscription_canceled")
        secret = self.server.webhook_secret
        threading.Timer(0.2, deliver, args=(events, secret)).start()
        self.send_json(200, {"id": sub_id, "object": "subscription", "status": "canceled"})

    def create_session(self, raw):
        if self.headers.get("Authorization") != f"Bearer {self.server.secret_key}":
            return self.stripe_error(401, "Invalid API Key provided", kind="authentication_error")
        key = self.headers.get("Idempotency-Key")
        with lock:
            if key and key in idempotent:
                prior_raw, prior = idempotent[key]
                if prior_raw != raw:
                    return self.stripe_error(400, "Keys for idempotent requests can only be used with the same parameters")
                return self.send_json(200, prior, headers=[("Idempotent-Replayed", "true")])
        f = dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))
        mode = f.get("mode")
        if mode not in ("payment", "subscription"):
            return self.stripe_error(400, "Invalid mode", "mode")
        for required in ("success_url", "line_items[0][price_data][currency]",
                         "line_items[0][price_data][unit_amount]", "line_items[0][price_data][product_data][name]"):
            if not f.get(required):
                return self.stripe_error(400, f"Missing required param: {required}.", required)
        if mode == "subscription" and f.get("line_items[0][price_data][recurring][interval]") != "month":
            return self.stripe_error(400, "A subscription needs a recurring price", "line_items[0][price_data][recurring]")
        amount = int(f["line_items[0][price_data][unit_amount]"])
        if amount < 50:
            return self.stripe_error(400, "Amount must be at least 50 minor units", "line_items[0][price_data][unit_amount]")
        sid = state.get("session_id") or new_id("cs")
        pick = lambda prefix: {k[len(prefix) + 1:-1]: v for k, v in f.items() if k.startswith(prefix + "[")}
        base = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
        s = {"id": sid, "object": "checkout.session", "mode": mode, "status": "open", "payment_status": "unpaid",
             "url": f"{base}/pay/{sid}", "amount_total": amount * int(f.get("line_items[0][quantity]", "1")),
             "currency": f["line_items[0][price_data][currency]"], "success_url": f["success_url"],
             "cancel_url": f.get("cancel_url"), "client_reference_id": f.get("client_reference_id"),
             "customer_email": f.get("customer_email"), "metadata": pick("metadata"),
             "subscription_metadata": pick("subscription_data[metadata]"),
             "payment_intent_metadata": pick("payment_intent_data[metadata]"),
             "product": f["line_items[0][price_data][product_data][name]"], "livemode": False}
        with lock:
            sessions[sid] = s
            if key:
                idempotent[key] = (raw, {k: v for k, v in s.items() if not k.endswith("_metadata")})
        self.send_json(200, idempotent[key][1] if key else s)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret-key", default="sk_test_standin")
    ap.add_argument("--webhook-secret", default="whsec_standin")
    ap.add_argument("--webhook-url")
    ap.add_argument("--lifetime", type=int, default=600, help="exit after this many seconds, whatever happens")
    a = ap.parse_args()
    state["webhook_url"] = a.webhook_url
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.secret_key, server.webhook_secret = a.secret_key, a.webhook_secret
    threading.Timer(a.lifetime, lambda: server.shutdown()).start()
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
