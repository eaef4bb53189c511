"""The interface strings that name this service, in other languages (merged into the add-on's tables when it
registers, through ``ProviderInfo.strings``). Messages with values use ``{}`` for each, as the add-on's own
templates do."""

ZH_HANS: dict[str, str] = {
    'Your Hunyuan3D-2.1 server at {} takes {} from {} to {}; this job asks for {}. Change it, or send the job to a 2.0 server.': '你位于 {0} 的 Hunyuan3D-2.1 服务器接受的{1}范围为 {2} 到 {3}；该任务要求 {4}。请修改它，或把任务发送到 2.0 服务器。',
    'Diffusion steps (2.0 servers: 30-50 for the full models, 5 for the turbo ones; a 2.1 server takes at most 20)': '扩散步数（2.0 服务器：完整模型 30-50，turbo 模型 5；2.1 服务器最多 20）',
    'This job ran on {}, which is no longer one of your Hunyuan3D servers: Meshsmith sent it nothing. Add it back in the preferences (Hunyuan3D Servers), then Retry Fetch.': '该任务运行在 {0} 上，但它已不在你的 Hunyuan3D 服务器列表中：Meshsmith 没有向它发送任何内容。请在偏好设置（Hunyuan3D 服务器）中重新添加它，然后点击“重新获取”。',
    '{} is not on your own network, so plain http would send your jobs (and any token) across the internet unencrypted. Use https for it, or a server on your network (a private address, a .local name or a name without dots).': '{0} 不在你自己的网络中，使用普通 http 会把你的任务（以及任何令牌）未加密地发送到互联网上。请对它使用 https，或使用你网络中的服务器（私有地址、.local 名称或不含点的名称）。',
    'Hunyuan3D (your server)': 'Hunyuan3D（你的服务器）',
    'Hunyuan3D Server (self-hosted)': 'Hunyuan3D 服务器（自建）',
    'Hunyuan3D Server Token': 'Hunyuan3D 服务器令牌',
    'Hunyuan3D Servers': 'Hunyuan3D 服务器',
    'Hunyuan3D-Paint (your server)': 'Hunyuan3D-Paint 绘制（你的服务器）',
    'Optional: a bearer token for a reverse proxy in front of your servers': '可选：服务器前反向代理使用的 Bearer 令牌',
    "Your Hunyuan3D servers' addresses, comma-separated (e.g. http://gpu-box:8081, http://gpu-box-2:8081): each runs one job at a time": '你的 Hunyuan3D 服务器地址，用逗号分隔（例如 http://gpu-box:8081, http://gpu-box-2:8081）：每台一次运行一个任务',
    'Canceled while waiting for a free Hunyuan3D server.': '等待空闲 Hunyuan3D 服务器时已取消。',
    'No Hunyuan3D server is set. Add its address (e.g. http://gpu-box:8081) in the preferences, or set MESHSMITH_HUNYUAN_SERVERS.': '尚未设置 Hunyuan3D 服务器。请在偏好设置中添加其地址（例如 http://gpu-box:8081），或设置 MESHSMITH_HUNYUAN_SERVERS。',
    'No Hunyuan3D server answers: {}. Start the server (python api_server.py), or check its address in the preferences. Nothing was sent.': '没有 Hunyuan3D 服务器响应：{0}。请启动服务器（python api_server.py），或在偏好设置中检查其地址。未发送任何内容。',
    'Waiting for a free Hunyuan3D server ({} busy or not answering)': '正在等待空闲的 Hunyuan3D 服务器（{0} 台忙碌或无响应）',
    'The Hunyuan3D server at {} runs Hunyuan3D-2.1, which cannot paint a given mesh. Retexture through a 2.0 server.': '位于 {0} 的 Hunyuan3D 服务器运行的是 Hunyuan3D-2.1，无法为给定网格绘制贴图。请通过 2.0 服务器重新贴图。',
}
"""Simplified Chinese: fixed strings (labels, tooltips, messages) and messages built at run time, by their
English template."""
