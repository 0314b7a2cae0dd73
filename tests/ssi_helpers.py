"""A shop's web server as README "Embedding reviews" sets it up: Debian's nginx, a static
product page with server-side includes of the review blocks, proxied to this service
through nginx's cache. Its own prefix, config and port on 127.0.0.1; no daemon, no root
files touched. Used by the SSI test and benchmarks/ssi_bench.py."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
from peers import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MISSING = f"nginx is missing ({NGINX}): `make test` installs Debian's nginx-light"

# The README's recipe, with the test's ports and paths; `{cache}` is CACHE (or nothing, to
# measure without a cache).
CONFIG = """
daemon off;
master_process off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log error;
events {{ worker_connections 512; }}
http {{
    access_log off;
    include /etc/nginx/mime.types;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;

    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=reviews:10m max_size=100m
                     inactive=7d use_temp_path=off;
    upstream feedback_service {{
        server 127.0.0.1:{app_port};
        keepalive 8;
    }}

    server {{
        listen 127.0.0.1:{port};
        root {prefix}/shop;

        location / {{
            ssi on;
        }}

        location /_reviews/ {{
            internal;  # only includes reach it, never a browser
            proxy_pass http://feedback_service/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host {app_host};
            proxy_set_header Accept-Encoding "";  # an include must be plain text
            proxy_set_header Cookie "";           # the shopper's cookies stay with the shop
            proxy_connect_timeout 1s;
            proxy_send_timeout 1s;
            proxy_read_timeout 1s;
{cache}
        }}
    }}
}}
"""
CACHE = """
            proxy_cache reviews;
            proxy_cache_key $uri$is_args$args;  # the include's, not the page's $request_uri
            {freshness}
            proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
            proxy_cache_background_update on;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 1s;
            proxy_cache_revalidate on;"""
# The README's: the app's Cache-Control says how long a block is fresh (5 minutes).
HONOUR_APP_CACHE_CONTROL = CACHE.format(freshness="proxy_cache_valid 200 5m;")
# The test's: stale after a second, to see the stale block served when the app is down.
SHORT_FRESHNESS = CACHE.format(
    freshness="proxy_ignore_headers Cache-Control Expires; proxy_cache_valid 200 1s;"
)
NO_CACHE = ""

FS_ARGS = "fs_page=$arg_fs_page&fs_sort=$arg_fs_sort&fs_lang=$arg_fs_lang"
PRODUCT_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bouilloire 1,5 L | Boutique Test</title>
<link rel="canonical" href="{page_url}">
<!--# block name="nothing" --><!--# endblock -->
<!--# include virtual="/_reviews/w/{shop}/products/{sku}/head" stub="nothing" -->
</head>
<body>
<header><a href="/">Boutique Test</a></header>
<main>
<h1>Bouilloire 1,5 L</h1>
<p class="price">39,90 €</p>
<!--# include virtual="/_reviews/w/{shop}/products/{sku}/badge" stub="nothing" -->
<!--# include virtual="/_reviews/w/{shop}/products/{sku}/reviews?{fs_args}" stub="nothing" -->
</main>
<footer>© Boutique Test</footer>
</body>
</html>
"""


class NginxShop:
    """nginx serving /products/{sku}.html with the review blocks included."""

    def __init__(
        self,
        prefix: Path,
        app_port: int,
        shop: str,
        sku: str,
        *,
        cache: str = HONOUR_APP_CACHE_CONTROL,
    ) -> None:
        self.prefix = prefix
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.page_url = f"{self.origin}/products/{sku.lower()}.html"
        for folder in ("tmp", "cache", "shop/products"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
        (prefix / "nginx.conf").write_text(
            CONFIG.format(
                prefix=prefix,
                port=self.port,
                app_port=app_port,
                app_host=f"127.0.0.1:{app_port}",
                cache=cache,
            )
        )
        (prefix / "shop" / "products" / f"{sku.lower()}.html").write_text(
            PRODUCT_PAGE.format(page_url=self.page_url, shop=shop, sku=sku, fs_args=FS_ARGS)
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> NginxShop:
        conf = str(self.prefix / "nginx.conf")
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.prefix), "-c", conf, "-e", str(self.prefix / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.origin}/", timeout=1)
                return self
            except httpx.HTTPError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nginx did not start: {self.errors()}")

    def errors(self) -> str:
        log = self.prefix / "error.log"
        return log.read_text() if log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self) -> NginxShop:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
