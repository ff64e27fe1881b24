"""Publishing: the adapter interface, the adapter registry, HTTP and the retry policy.

The error tree every adapter maps its failures onto (see :mod:`soulpost.publish.base`)::

    PublishError
    ├── NotSent         the request never left (connection refused, DNS): retry with backoff
    ├── RateLimited     the platform said "later" (429): wait until ``reset_at``
    ├── Rejected        the platform refused it (4xx): failed, with the platform's message
    │   └── AuthError   credentials missing, expired or revoked: failed until a person acts
    └── UnknownOutcome  the request went out and no clear answer came back (read timeout,
                        5xx): in doubt; settled by ``lookup`` or a person, never retried blindly
"""
