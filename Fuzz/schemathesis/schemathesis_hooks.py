"""Schemathesis checks for the local Sandbox API.

Any 5xx answer is a failure except the documented 501s (snapshots are not supported locally), which
must say so in the API's error body.
"""
import schemathesis


@schemathesis.check
def no_server_error_except_documented_501(ctx, response, case):
    status = response.status_code
    if status < 500:
        return None
    if status == 501 and "not supported by the local Sandbox API" in response.text:
        return None
    raise AssertionError(f"{case.method} {case.formatted_path} answered {status}: {response.text[:300]}")
