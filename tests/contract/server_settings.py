"""Settings of the server schemathesis runs against (tests/contract/test_schemathesis.py).

The test settings (responses validated against their schema, fast hashing),
with the limits lifted: a run sends thousands of requests from one address,
which the anonymous and account rate limits would rightly refuse. The
database, media folder and cache come from the environment the test gives.
"""

import os

from cms.settings.test import *  # noqa: F403

MEDIA_ROOT = os.environ["LIVE_MEDIA_ROOT"]
API_ANONYMOUS_RATE_LIMIT = "1000000/min"
ACCOUNT_RATE_LIMITS = False
