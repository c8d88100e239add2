"""Which options each kind of remote accepts, and of what type: DVC's remote schema.

Pure data and checks (no SDK imports), worded as DVC words its config errors, so that a
config stagecore writes is one DVC accepts.
"""

from __future__ import annotations

from urllib.parse import urlsplit


# DVC's per-URL-type remote schema (dvc/config_schema.py): key -> type ("str", "int", "float",
# "int+" for >= 1, "bool", "any", "cachetype").
def _keys(kind: str, names: str) -> dict[str, str]:
    return dict.fromkeys(names.split(), kind)


_COMMON = {
    **_keys("str", "url"),
    **_keys("int+", "checksum_jobs jobs"),
    **_keys("bool", "worktree no_traverse version_aware"),
}
_LOCAL = {
    **_keys("cachetype", "type"),
    **_keys("bool", "protected slow_link_warning verify"),
    **_keys("any", "shared"),
}
_HTTP = {
    **_keys("str", "custom_auth_header user password method"),
    **_keys("bool", "ask_password verify"),
    **_keys("float", "connect_timeout read_timeout"),
    **_keys("any", "auth ssl_verify"),
}
_WEBDAV = {
    **_keys("str", "user password token bearer_token_command custom_auth_header cert_path key_path"),
    **_keys("bool", "ask_password verify"),
    **_keys("int", "timeout"),
    **_keys("any", "ssl_verify"),
}
_SCHEMAS: dict[str, dict[str, str] | None] = {
    "": _LOCAL | _COMMON,
    "s3": {
        **_keys(
            "str",
            "region profile credentialpath configpath endpointurl access_key_id secret_access_key "
            "session_token sse sse_kms_key_id sse_customer_algorithm sse_customer_key acl grant_read "
            "grant_read_acp grant_write_acp grant_full_control cache_regions",
        ),
        **_keys("bool", "listobjects use_ssl allow_anonymous_login verify"),
        **_keys("int", "read_timeout connect_timeout"),
        **_keys("any", "ssl_verify"),
        **_COMMON,
    },
    "gs": {
        **_keys("str", "projectname credentialpath endpointurl"),
        **_keys("bool", "verify allow_anonymous_login"),
        **_COMMON,
    },
    "ssh": {
        **_keys("cachetype", "type"),
        **_keys("str", "user password passphrase keyfile"),
        **_keys("int", "port timeout max_sessions"),
        **_keys("bool", "ask_password ask_passphrase gss_auth allow_agent verify"),
        **_COMMON,
    },
    "hdfs": {**_keys("str", "user kerb_ticket"), **_keys("int", "replication"), **_COMMON},
    "webhdfs": {
        **_keys("str", "kerberos_principal proxy_to token user password data_proxy_target"),
        **_keys("bool", "kerberos use_https verify"),
        **_keys("any", "ssl_verify"),
        **_COMMON,
    },
    "azure": {
        **_keys(
            "str", "connection_string sas_token account_name account_key tenant_id client_id client_secret"
        ),
        **_keys(
            "bool",
            "allow_anonymous_login exclude_environment_credential exclude_visual_studio_code_credential "
            "exclude_shared_token_cache_credential exclude_managed_identity_credential verify",
        ),
        **_keys("int", "timeout read_timeout connection_timeout"),
        **_COMMON,
    },
    "oss": {**_keys("str", "oss_key_id oss_key_secret oss_endpoint"), **_keys("bool", "verify"), **_COMMON},
    "gdrive": {
        **_keys(
            "str",
            "profile gdrive_client_id gdrive_client_secret gdrive_user_credentials_file "
            "gdrive_service_account_user_email gdrive_service_account_json_file_path",
        ),
        **_keys("bool", "gdrive_use_service_account gdrive_trash_only gdrive_acknowledge_abuse verify"),
        **_COMMON,
    },
    "http": _HTTP | _COMMON,
    "https": _HTTP | _COMMON,
    "webdav": _WEBDAV | _COMMON,
    "webdavs": _WEBDAV | _COMMON,
    "remote": None,  # remote://other/path: anything goes
}


def url_problem(name: str, url: object, scheme_check: bool = True) -> tuple[str, str] | None:
    """(problem, hint) for a url that names no usable place: empty or only blanks, not a single
    value, or a scheme no DVC remote has. An empty url must never fall back to the directory
    of the config file (it would put the remote's objects inside `.dvc/`)."""
    fix = f"set it: stagecore remote modify {name} url <url>  (a directory, s3://..., ssh://...)"
    if not isinstance(url, str):
        return f"remote '{name}' has a url that is not a single value: {url!r}", fix
    if not url.strip():
        return f"remote '{name}' has an empty url", fix
    if "\0" in url:
        return f"remote '{name}' has a url with a NUL byte: {url!r}", fix
    if not scheme_check:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme.lower() if parts.netloc else ""
    if scheme not in _SCHEMAS and scheme != "file":
        return f"remote '{name}' has a url of unknown type '{scheme}://' ({url})", fix
    return None


def validate_remote(name: str, opts: dict) -> tuple[str, str | None] | None:
    """The first problem of one remote section as DVC words it (message, hint), or None."""
    where = f"data['remote']['{name}']"
    url = opts.get("url")
    if url is None:
        return f"expected 'url' for dictionary value @ {where}", None
    problem = url_problem(name, url, scheme_check=False)  # DVC's own words for the scheme below
    if problem is not None:
        return f"{problem[0]} @ {where}['url']", problem[1]
    parts = urlsplit(str(url))
    scheme = parts.scheme if parts.netloc else ""
    if scheme not in _SCHEMAS:
        return f"Unsupported URL type {scheme}:// for dictionary value @ {where}", None
    schema = _SCHEMAS[scheme]
    if schema is None:
        return None
    for key, value in opts.items():
        kind = schema.get(key)
        if kind is None:
            return (
                f"extra keys not allowed @ {where}['{key}']",
                f"'{key}' is not an option of {scheme or 'local'} remotes",
            )
        wrong = _type_problem(kind, value)
        if wrong:
            return f"{wrong} for dictionary value @ {where}['{key}']", None
    return None


def _type_problem(kind: str, value: object) -> str | None:
    if value is None:
        return {"bool": "expected true or false", "int": "expected int", "int+": "expected int"}.get(
            kind, "expected str"
        )
    text = str(value)
    if kind in ("int", "int+"):
        try:
            number = int(text)
        except ValueError:
            return "expected int"
        if kind == "int+" and number < 1:
            return "value must be at least 1"
    elif kind == "float":
        try:
            float(text)
        except ValueError:
            return "expected float"
    elif kind == "bool" and text.lower() not in ("true", "false"):
        return "expected true or false"
    elif kind == "cachetype":
        bad = {t.strip() for t in text.split(",")} - {"reflink", "hardlink", "symlink", "copy"}
        if bad:
            return f"Unsupported cache type(s): {', '.join(sorted(bad))}"
    return None
