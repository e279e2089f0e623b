"""One HTTP session for the outside services (SMS providers, Smartschool): retried with backoff only
where the request certainly did not arrive (a refused connection, or an explicit "busy" status);
a read timeout is never retried, since the request may have done its work."""
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def retrying_session(busy_statuses=(503,)) -> requests.Session:
    session = requests.Session()
    retry = Retry(total=3, connect=3, read=False, status=2, backoff_factor=0.3, status_forcelist=busy_statuses,
                  allowed_methods=None, respect_retry_after_header=False, raise_on_status=False)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session
