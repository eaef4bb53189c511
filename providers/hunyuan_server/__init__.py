"""The studio's own Hunyuan3D-2 / 2.1 servers (Tencent's api_server.py): one job per server, over many servers."""

from __future__ import annotations

from ..info import ADDON_PACKAGE, Credential, ProviderInfo
from . import settings, strings

SERVICE = "The Hunyuan3D server"
"""How messages name the artist's server."""

PROVIDER = ProviderInfo(
    "HUNYUAN_SERVER", "Hunyuan3D Server (self-hosted)", client=f"{__name__}.client:HunyuanServerProvider",
    generates=("Hunyuan3D (your server)", "Image to textured mesh on your own Hunyuan3D-2 or 2.1 server(s)"),
    retextures=("Hunyuan3D-Paint (your server)",
                "Paint the mesh on your own Hunyuan3D-2.0 server, then bake the result onto its own UVs"),
    settings=settings.SETTINGS, self_hosted=True,
    base_url_env="MESHSMITH_HUNYUAN_SERVERS", simulator=f"{ADDON_PACKAGE}.sandbox.hunyuan_server",
    server_setting=("Hunyuan3D Servers", "Each server runs one job at a time; further jobs wait for the next "
                                         "idle one"),
    credentials=(Credential("token", "Hunyuan3D Server Token",
                            "Optional: a bearer token for a reverse proxy in front of your servers",
                            "MESHSMITH_HUNYUAN_SERVER_TOKEN", required=False),),
    missing_key="Add your Hunyuan3D server's address in the preferences (or turn on the sandbox).",
    strings={"zh_HANS": strings.ZH_HANS})
