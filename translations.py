"""Simplified Chinese (zh_HANS) for every label, tooltip and message, through ``bpy.app.translations``.

Blender looks strings up exactly, so each entry is the English text as written in the code: fixed
strings in ``ZH_HANS``, the interface's format strings in ``ZH_HANS_FORMATS``, and the templates of
messages built at run time in ``ZH_HANS_TEMPLATES``. Those messages are made in the bpy-free
providers and engine, in English, and kept in English in the journal; ``translate_message`` turns
them into the artist's language where they are shown. Names of services and models (Segmind,
Scenario, Meshy, Hunyuan) stay as they are. Tests check that every user-facing string the add-on
registers, draws or builds has an entry here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import bpy

ZH_HANS: dict[str, str] = {
    'Diffusion steps (2.0 servers; 5 for the turbo models)': '扩散步数（2.0 服务器；turbo 模型为 5）',
    'Give a job up after this long: the server never reports a failed job': '超过此时长即放弃任务：服务器从不报告失败的任务',
    'How closely the shape follows the image (2.0 servers)': '形状贴合图像的程度（2.0 服务器）',
    'Hunyuan3D (your server)': 'Hunyuan3D（你的服务器）',
    'Hunyuan3D Server (self-hosted)': 'Hunyuan3D 服务器（自建）',
    'Hunyuan3D Server Token': 'Hunyuan3D 服务器令牌',
    'Hunyuan3D Servers': 'Hunyuan3D 服务器',
    'Hunyuan3D-Paint (your server)': 'Hunyuan3D-Paint 绘制（你的服务器）',
    'Image to textured mesh on your own Hunyuan3D-2 or 2.1 server(s)': '在你自己的 Hunyuan3D-2 或 2.1 服务器上从图像生成带纹理的网格',
    'Optional: a bearer token for a reverse proxy in front of your servers': '可选：服务器前反向代理使用的 Bearer 令牌',
    'Paint a texture (a 2.0 server needs --enable_tex)': '绘制纹理（2.0 服务器需要 --enable_tex）',
    'Paint the mesh on your own Hunyuan3D-2.0 server, then bake the result onto its own UVs': '在你自己的 Hunyuan3D-2.0 服务器上为网格绘制贴图，再烘焙到网格自身的 UV 上',
    'Time Limit (s)': '时间上限（秒）',
    'Voxel resolution of the shape (2.0 servers)': '形状的体素分辨率（2.0 服务器）',
    "Your Hunyuan3D servers' addresses, comma-separated (e.g. http://gpu-box:8081, http://gpu-box-2:8081): each runs one job at a time": '你的 Hunyuan3D 服务器地址，用逗号分隔（例如 http://gpu-box:8081, http://gpu-box-2:8081）：每台一次运行一个任务',
    'Canceled while waiting for a free Hunyuan3D server.': '等待空闲 Hunyuan3D 服务器时已取消。',
    'Choose a reference image first.': '请先选择参考图像。',
    'Choose a reference image of the look to paint.': '请选择要绘制外观的参考图像。',
    'No Hunyuan3D server is set. Add its address (e.g. http://gpu-box:8081) in the preferences, or set MESHSMITH_HUNYUAN_SERVERS.': '尚未设置 Hunyuan3D 服务器。请在偏好设置中添加其地址（例如 http://gpu-box:8081），或设置 MESHSMITH_HUNYUAN_SERVERS。',
    '1024 × 1024: quick': '1024 × 1024：较快',
    '1K': '1K',
    '2048 × 2048: the default': '2048 × 2048：默认',
    '4096 × 4096: slow': '4096 × 4096：较慢',
    'Bake Size': '烘焙尺寸',
    'Hunyuan3D-Paint (Segmind)': 'Hunyuan3D-Paint 绘制（Segmind）',
    "Paint onto this mesh's own UVs and put the maps on it; off: Meshy makes UVs of its own and Meshsmith bakes its result onto this mesh": '在网格自身的 UV 上绘制并应用贴图；关闭时，Meshy 会生成自己的 UV，Meshsmith 再把结果烘焙到此网格上',
    'Paint the mesh from a reference image on Segmind, then bake the result onto its own UVs': '在 Segmind 上按参考图像为网格绘制贴图，再烘焙到网格自身的 UV 上',
    'Size of the maps baked onto your object when a result comes back as a mesh of its own': '当结果以独立网格返回时，烘焙到你的物体上的贴图尺寸',
    'A material of that version was deleted from the file; it cannot be shown.': '该版本的某个材质已从文件中删除，无法显示。',
    'Canceled while baking.': '烘焙时已取消。',
    'Choose a reference image of the look to paint (Hunyuan3D-Paint paints from an image).': '请选择要绘制外观的参考图像（Hunyuan3D-Paint 根据图像绘制）。',
    'Each retexture of this object adds a version here.': '此物体的每次重新贴图都会在此添加一个版本。',
    'Original': '原始',
    'That material version no longer exists.': '该材质版本已不存在。',
    'The bake stopped before it was done (Blender ran out of time or memory). Import as New Object brings the returned model in.': '烘焙未完成就停止了（Blender 超时或内存不足）。“作为新物体导入”可导入返回的模型。',
    'The copy of the object to bake onto is missing.': '要烘焙到的物体副本丢失了。',
    "The object's material slots changed since that version; it cannot be shown.": '自该版本以来物体的材质槽已改变，无法显示。',
    'The original version cannot be removed.': '原始版本不能删除。',
    'The returned model does not overlap the object: the bake found nothing to copy. The object was left as it was; Import as New Object brings the model in.': '返回的模型与物体不重叠：烘焙没有找到可复制的内容。物体保持原样；“作为新物体导入”可导入该模型。',
    'The returned model has no mesh to bake from.': '返回的模型中没有可供烘焙的网格。',
    'This Blender session cannot bake (no bake script); import the result as a new object instead.': '此 Blender 会话无法烘焙（缺少烘焙脚本）；请改为作为新物体导入结果。',
    "Meshy Retexture / Text to Texture": "Meshy 重新贴图 / 文字生成贴图",
    "The service that textures the selected mesh": "为所选网格绘制贴图的服务",
    "A reference image of the look to paint; empty uses the sidebar's": "要绘制的外观的参考图像；留空则使用侧栏中的图像",
    "credits": "积分",
    # --- services and choices ---
    "Segmind": "Segmind", "Scenario": "Scenario", "Meshy": "Meshy",
    "Hunyuan3D-2 (Segmind)": "混元3D-2（Segmind）", "Hunyuan 3D 2.1 (Scenario)": "混元3D 2.1（Scenario）",
    "Image to textured mesh on Segmind": "在 Segmind 上由图像生成带纹理的网格",
    "Image to PBR-textured mesh on Scenario": "在 Scenario 上由图像生成带 PBR 纹理的网格",
    "Provider": "服务", "Service": "服务", "State": "状态", "All Services": "全部服务", "All States": "全部状态",
    "Running": "进行中", "Queued, running or downloading": "排队中、生成中或下载中", "Ready to Import": "待导入",
    "Imported": "已导入", "Failed or Unknown": "失败或未知", "Canceled": "已取消",
    # --- generate panel and settings ---
    "Generate": "生成", "Reference Image": "参考图像", "Image": "图像", "Prompt": "提示词", "Parameters": "参数",
    "Reference image file (PNG, JPEG or WebP)": "参考图像文件（PNG、JPEG 或 WebP）",
    "An image already in Blender (used instead of the file)": "Blender 中已有的图像（优先于文件使用）",
    "Optional text to guide the model": "可选的文字，用于引导模型",
    "Octree Resolution": "八叉树分辨率", "Voxel resolution of the shape: higher is finer and slower": "形状的体素分辨率：越高越精细、越慢",
    "Fast": "快速", "Finer": "更精细", "Finest, slowest": "最精细、最慢",
    "Steps": "步数", "Diffusion steps (affects price)": "扩散步数（影响价格）", "Generation steps (affects cost)": "生成步数（影响费用）",
    "Guidance": "引导强度", "How closely the shape follows the image": "形状贴合图像的程度",
    "Seed": "种子", "-1 picks a random seed, which is recorded on the result": "-1 表示随机种子，所用种子会记录在结果上",
    "Max Faces": "最大面数", "Maximum faces of the textured mesh": "带纹理网格的最大面数",
    "Texture": "纹理", "Paint a texture onto the generated mesh": "为生成的网格绘制纹理",
    "API": "接口", "How to talk to Segmind": "与 Segmind 通信的方式",
    "Queue (Resumable)": "队列（可恢复）", "Submit, then poll: the job survives a Blender restart": "先提交后轮询：重启 Blender 后任务仍可继续",
    "Direct": "直接", "One long request; the job is lost if Blender closes meanwhile": "一次长请求；期间关闭 Blender 会丢失任务",
    "Paint": "绘制纹理", "Paint PBR textures onto the mesh": "为网格绘制 PBR 纹理",
    "Target Faces": "目标面数", "Target face count of the mesh (affects cost)": "网格的目标面数（影响费用）",
    "Generate a textured 3D model from the reference image with the chosen service": "使用所选服务，根据参考图像生成带纹理的 3D 模型",
    "Choose a reference image.": "请选择参考图像。",
    "Add your Segmind API key in the preferences (or turn on the sandbox).": "请在偏好设置中填写 Segmind API 密钥（或开启沙盒）。",
    "Add your Scenario API key and secret in the preferences (or turn on the sandbox).": "请在偏好设置中填写 Scenario API 密钥和密钥口令（或开启沙盒）。",
    "Add your Meshy API key in the preferences (or try Meshy without credits, or the sandbox).": "请在偏好设置中填写 Meshy API 密钥（或免积分试用 Meshy，或开启沙盒）。",
    "Estimate Cost": "估算费用", "Ask the service what a job with these settings would cost (a dry run: nothing is spent)": "向服务询问此设置下任务的费用（试运行：不会消费）",
    "Refresh Credits": "刷新余额", "Ask the service for the account's remaining credits (in the background)": "在后台向服务查询账户剩余积分",
    "Sandbox: nothing is sent or charged.": "沙盒：不会发送任何内容，也不会扣费。",
    # --- retexture ---
    "Retexture": "重新贴图", "Texture the active mesh with the chosen service; the result goes onto this mesh as a new material": "用所选服务为活动网格生成纹理；结果作为新材质应用到该网格上",
    "Endpoint": "接口", "Meshy's current texturing endpoint": "Meshy 当前的贴图接口",
    "Text to Texture (Legacy)": "文本生成纹理（旧版）", "The older endpoint, with art styles and resolution": "旧版接口，带艺术风格和分辨率选项",
    "Style": "风格", "What the surface should look like (up to 600 characters)": "表面应有的外观（最多 600 个字符）",
    "Object": "物体", "What the object is (Text to Texture; up to 600 characters)": "物体是什么（文本生成纹理；最多 600 个字符）",
    "Style Image": "风格图像", "An image whose look to copy (Retexture; used instead of the style text)": "要模仿其外观的图像（重新贴图；优先于风格文字）",
    "Keep Original UVs": "保留原始 UV", "Paint onto this mesh's own UVs and put the maps on it; off: a new textured object replaces it in view": "在网格自身的 UV 上绘制并应用贴图；关闭时，新的带纹理物体会在视图中替换它",
    "PBR Maps": "PBR 贴图", "Metallic, roughness and normal maps as well as colour": "除颜色外还生成金属度、粗糙度和法线贴图",
    "AI Model": "AI 模型", "Latest": "最新", "Meshy 6": "Meshy 6", "Meshy 5": "Meshy 5",
    "HD Texture": "高清纹理", "4K base colour (Meshy 6)": "4K 基础色（Meshy 6）",
    "Remove Lighting": "去除光照", "Remove baked-in highlights and shadows (Meshy 6)": "去除烘焙在纹理中的高光和阴影（Meshy 6）",
    "Art Style": "艺术风格", "Realistic": "写实", "3D Cartoon": "3D 卡通", "Japanese Anime": "日式动漫", "Cartoon Line Art": "卡通线稿",
    "Realistic Hand-Drawn": "写实手绘", "3D Hand-Drawn": "3D 手绘", "Oriental Comic Ink": "东方水墨漫画",
    "Resolution": "分辨率", "Avoid": "避免", "What the texture should not have (Text to Texture)": "纹理中不应出现的内容（文本生成纹理）",
    "Options": "选项", "Select a mesh object": "请选择一个网格物体", "Select the mesh object to retexture.": "请选择要重新贴图的网格物体。",
    "Fetch Meshy Tasks": "获取 Meshy 任务", "Bring recent Meshy tasks into the job list (made on Meshy's site, another machine, or before a crash)": "把最近的 Meshy 任务加入任务列表（在 Meshy 网站、其他电脑上或崩溃前创建的）",
    "Meshy test mode: sample results, no credits.": "Meshy 测试模式：示例结果，不消耗积分。",
    "Describe the style to paint (or choose a style image).": "请描述要绘制的风格（或选择风格图像）。",
    # --- jobs ---
    "Jobs": "任务", "No jobs yet.": "暂无任务。", "Cancel Job": "取消任务", "Import Result": "导入结果", "Import Again": "再次导入",
    "Retry Fetch": "重新获取", "Submit Again": "重新提交", "Copy Job ID": "复制任务 ID", "Dismiss": "移除", "Open Folder": "打开文件夹",
    "Regenerate": "重新生成", "Variations": "变体",
    "Stop this job now (the service is asked to stop too; a job it had started may still be billed)": "立即停止此任务（也会请求服务停止；已开始的任务仍可能计费）",
    "Import this job's downloaded result into the scene": "将此任务已下载的结果导入场景",
    "Import this job's result once more (from the files on disk; nothing is sent)": "再次导入此任务的结果（使用磁盘上的文件；不会发送任何内容）",
    "Remove this job from the list (a running job is canceled first)": "从列表中移除此任务（进行中的任务会先被取消）",
    "Ask the service again for this job's result (no new job is created, nothing is charged)": "再次向服务获取此任务的结果（不会创建新任务，也不会扣费）",
    "Send this job again as a new job. It will be charged again": "将此任务作为新任务重新发送。将再次计费",
    "Copy the service's id for this job (for support requests)": "复制服务端的任务 ID（用于联系客服）",
    "Open the folder with this job's files": "打开存放此任务文件的文件夹",
    "Run this job again with the same inputs, parameters and seed (a new job, charged again)": "用相同的输入、参数和种子再次运行（新任务，会再次计费）",
    "Run this job again several times, each with a new random seed (each charged)": "用新的随机种子多次运行此任务（每次都会计费）",
    "How Many": "数量",
    "That job is no longer known.": "该任务已不存在。", "This job has no result waiting to be imported.": "此任务没有待导入的结果。",
    "Job id copied.": "已复制任务 ID。", "Job canceled.": "任务已取消。", "The job disappeared.": "任务已消失。",
    "Nothing to import.": "没有可导入的内容。", "Import failed.": "导入失败。",
    # --- tweaks ---
    "Tweak Result": "调整结果", "Place on Ground": "放到地面", "Normalise Size": "统一尺寸", "Fix Orientation": "修正朝向",
    "Shade Auto Smooth": "自动平滑着色", "Merge by Distance": "按距离合并", "Decimate": "精简", "Pack Textures": "打包纹理",
    "Mark as Asset": "标记为资产", "Apply Preset": "应用预设", "Preset": "预设",
    "Put the origin at the bottom centre and stand the object on the 3D cursor": "将原点设为底部中心，并把物体放在 3D 游标处",
    "Scale the object uniformly to a height in metres (the scale is applied)": "按比例缩放物体到指定高度（米），并应用缩放",
    "Height": "高度", "Target height": "目标高度",
    "Turn the mesh so the chosen axis points up": "旋转网格，使所选轴朝上", "Up Is": "朝上的轴", "Which axis of the model should point up": "模型的哪根轴应朝上",
    "Smooth shading, keeping edges sharper than the angle": "平滑着色，保留大于该角度的锐边", "Angle (Degrees)": "角度（度）",
    "Merge vertices closer than the distance (closes split seams)": "合并距离小于该值的顶点（闭合断开的接缝）", "Distance": "距离",
    "Reduce the mesh to a target number of triangles": "将网格精简到目标三角面数",
    "Pack the object's textures into the .blend file": "将物体的纹理打包进 .blend 文件",
    "Mark as an asset, with the provider, prompt, seed, job id and cost in its description and tags": "标记为资产，并在描述和标签中写入服务、提示词、种子、任务 ID 和费用",
    "Run a set of tweaks made for a purpose": "运行一组针对特定用途的调整",
    "Game": "游戏", "Film": "影视", "Print": "打印", "Nothing": "不处理",
    "Merge, ground, 1.8 m, 10k faces, smooth, pack": "合并、落地、1.8 米、1 万面、平滑、打包",
    "Ground, smooth, pack, mark as asset": "落地、平滑、打包、标记为资产", "Merge, ground, 10 cm": "合并、落地、10 厘米",
    "Leave results as they come": "保持结果原样",
    # --- preferences ---
    "Keys": "密钥", "Results": "结果", "Network": "网络",
    "Segmind API Key": "Segmind API 密钥", "Scenario API Key": "Scenario API 密钥", "Scenario API Secret": "Scenario API 密钥口令",
    "Scenario Project ID": "Scenario 项目 ID", "Meshy API Key": "Meshy API 密钥",
    "Your Segmind key. Stored by Blender in your user preferences file, never in .blend scenes": "你的 Segmind 密钥。由 Blender 保存在用户偏好设置文件中，绝不会写入 .blend 场景",
    "Your Scenario API key. Stored by Blender in your user preferences file, never in .blend scenes": "你的 Scenario API 密钥。由 Blender 保存在用户偏好设置文件中，绝不会写入 .blend 场景",
    "Your Meshy key (msy_...). Stored by Blender in your user preferences file, never in .blend scenes": "你的 Meshy 密钥（msy_...）。由 Blender 保存在用户偏好设置文件中，绝不会写入 .blend 场景",
    "The secret shown once when the Scenario key was created": "创建 Scenario 密钥时只显示一次的密钥口令",
    "Optional: the project that owns uploads and results (needed for project keys)": "可选：拥有上传内容和结果的项目（使用项目密钥时需要）",
    "Segmind Server": "Segmind 服务器", "Scenario Server": "Scenario 服务器", "Meshy Server": "Meshy 服务器",
    "Leave empty for https://api.segmind.com. Plain http is accepted only for this computer": "留空则使用 https://api.segmind.com。仅本机地址可使用 http",
    "Leave empty for https://api.cloud.scenario.com. Plain http is accepted only for this computer": "留空则使用 https://api.cloud.scenario.com。仅本机地址可使用 http",
    "Leave empty for https://api.meshy.ai. Plain http is accepted only for this computer": "留空则使用 https://api.meshy.ai。仅本机地址可使用 http",
    "Try Meshy Without Credits": "免积分试用 Meshy",
    "Use Meshy's public test-mode key: no credits are spent and every task returns the same sample result, not a texture of your mesh": "使用 Meshy 公开的测试模式密钥：不消耗积分，每个任务都返回同一个示例结果，而不是你的网格纹理",
    "Meshy test mode: sample results only, not your mesh. Nothing is charged.": "Meshy 测试模式：只返回示例结果，不是你的网格。不会扣费。",
    "Use Built-in Sandbox": "使用内置沙盒", "Run jobs against Meshsmith's local simulator: no key, no credits, placeholder models": "在 Meshsmith 的本地模拟器上运行任务：无需密钥、不耗积分、返回占位模型",
    "Jobs run on this computer against a simulator. Nothing is sent, nothing is charged.": "任务在本机的模拟器上运行。不会发送任何内容，也不会扣费。",
    "Results Folder": "结果文件夹", "Where downloaded models and textures are kept. Empty: the extension's own user folder": "下载的模型和纹理的存放位置。留空：扩展自己的用户文件夹",
    "Import Automatically": "自动导入", "Import each result as soon as it is downloaded, also for jobs resumed after a restart": "每个结果下载完成后立即导入，重启后恢复的任务也一样",
    "Render Previews": "渲染预览图",
    "When a service sends no preview of a result, render a small one for the job history and the asset library, in a separate background Blender (a few seconds of one CPU core per job)":
        "当服务没有提供结果预览图时，在单独的后台 Blender 中渲染一张小图，用于任务历史和资产库（每个任务占用一个 CPU 核心几秒钟）",
    "just now": "刚刚",
    "After Import": "导入后", "Tweaks applied automatically to every generated result": "对每个生成结果自动应用的调整",
    "CA Certificate File": "CA 证书文件", "For company networks that inspect HTTPS: a PEM file with the proxy's root certificate": "适用于检查 HTTPS 的公司网络：包含代理根证书的 PEM 文件",
    "Keys typed here are saved in Blender's user preferences file, in plain text.": "在此输入的密钥会以明文保存在 Blender 的用户偏好设置文件中。",
    "To keep them out of every file, set the environment variables instead:": "若不想写入任何文件，请改用以下环境变量：",
    "Keys never go into .blend scene files, the job journal or logs.": "密钥绝不会写入 .blend 场景文件、任务日志或日志文件。",
    "Proxies are taken from HTTPS_PROXY / NO_PROXY in the environment.": "代理设置取自环境变量 HTTPS_PROXY / NO_PROXY。",
    "Online access is off: enable it under System > Network.": "在线访问已关闭：请在 系统 > 网络 中开启。",
    "Allow Online Access": "允许在线访问", "Allow Blender to use the internet (Preferences > System > Network)": "允许 Blender 访问互联网（偏好设置 > 系统 > 网络）",
    "Blender was started with --offline-mode": "Blender 以 --offline-mode 启动",
    "Open Meshsmith Preferences": "打开 Meshsmith 偏好设置", "Open Meshsmith's preferences (keys, results folder, network)": "打开 Meshsmith 偏好设置（密钥、结果文件夹、网络）",
    # --- messages from the checks and the services (fixed wording) ---
    "Online access is off. Enable it in Edit > Preferences > System > Network > Allow Online Access.": "在线访问已关闭。请在 编辑 > 偏好设置 > 系统 > 网络 > 允许在线访问 中开启。",
    "Online access is off: Blender was started with --offline-mode. Restart it without that option.": "在线访问已关闭：Blender 以 --offline-mode 启动。请去掉该选项后重新启动。",
    "Choose a reference image first (a file, or an image already in Blender).": "请先选择参考图像（文件或 Blender 中已有的图像）。",
    "No Segmind API key. Add it in Edit > Preferences > Add-ons > Meshsmith, or set MESHSMITH_SEGMIND_API_KEY.": "没有 Segmind API 密钥。请在 编辑 > 偏好设置 > 插件 > Meshsmith 中填写，或设置 MESHSMITH_SEGMIND_API_KEY。",
    "No Scenario API key and secret. Add them in Edit > Preferences > Add-ons > Meshsmith, or set MESHSMITH_SCENARIO_API_KEY and MESHSMITH_SCENARIO_API_SECRET.": "没有 Scenario API 密钥和密钥口令。请在 编辑 > 偏好设置 > 插件 > Meshsmith 中填写，或设置 MESHSMITH_SCENARIO_API_KEY 和 MESHSMITH_SCENARIO_API_SECRET。",
    "No Meshy API key. Add it in Edit > Preferences > Add-ons > Meshsmith, set MESHSMITH_MESHY_API_KEY, or turn on 'Try Meshy Without Credits'.": "没有 Meshy API 密钥。请在 编辑 > 偏好设置 > 插件 > Meshsmith 中填写，设置 MESHSMITH_MESHY_API_KEY，或开启“免积分试用 Meshy”。",
    "Text to Texture also needs a short description of the object.": "文本生成纹理还需要对物体的简短描述。",
    "Canceled.": "已取消。",
    'Another Blender session holds this job.': '另一个 Blender 会话持有该任务。',
    'Import as New Object': '作为新物体导入',
    'Not sent: the Blender that made it closed first. Nothing was charged.': '未发送：创建它的 Blender 已先关闭。未产生任何费用。',
    'This job is running in another Blender session; change it there.': '该任务正在另一个 Blender 会话中运行；请在那里修改。',
    'This job is running in another Blender session; it is imported there.': '该任务正在另一个 Blender 会话中运行；将在那里导入。',
    'The result is ready; import it from the job list.': '结果已就绪；请从任务列表导入。',
    'Running in another Blender': '正在另一个 Blender 中运行',
    '10 credits': '10 积分',
    '15 credits': '15 积分',
    '2K': '2K',
    '4K': '4K',
    '8K': '8K',
    'Faster; 2K textures only': '更快；仅 2K 纹理',
    'From a style image or views only; base colour at 2K, no PBR maps': '仅根据风格图像或多视图；2K 基础色，无 PBR 贴图',
    'Latest (Meshy 7)': '最新（Meshy 7）',
    'Meshy 6 Lite': 'Meshy 6 Lite',
    'Meshy 7': 'Meshy 7',
    'Meshy N1': 'Meshy N1',
    "Meshy's newest retexture model, today Meshy 7": 'Meshy 最新的重新贴图模型，目前为 Meshy 7',
    "Meshy's texturing model (pin one by name for results that do not change when Meshy ships a new one)": 'Meshy 的贴图模型（按名称固定一个，结果就不会随 Meshy 发布新模型而改变）',
    'Remove baked-in highlights and shadows (Meshy 6 and 7)': '去除烘焙进去的高光和阴影（Meshy 6 和 7）',
    'Size of the texture maps (8K costs 15 credits instead of 10; Meshy 6 Lite and N1 make 2K only)': '纹理贴图尺寸（8K 需 15 积分而非 10；Meshy 6 Lite 和 N1 仅支持 2K）',
    'Style Views': '风格视图',
    'Style from text, an image or several views': '根据文字、一张图像或多个视图生成风格',
    'Switch to Retexture': '切换到重新贴图',
    'Texture Resolution': '纹理分辨率',
    "Texture with Meshy's Retexture endpoint (the one Meshy offers today)": '使用 Meshy 的重新贴图端点（Meshy 目前提供的端点）',
    "Up to four images of the object to copy the style from, front first, separated by ';' (Meshy 7 or N1; used instead of the style text and image)": '最多四张物体图像，从中复制风格，正面在前，用“;”分隔（Meshy 7 或 N1；替代风格文字和图像）',
    'Meshy 5 was retired on 2026-10-10; this file asked for it, so Latest (Meshy 7) is used.': 'Meshy 5 已于 2026-10-10 停用；此文件选择了它，因此改用最新（Meshy 7）。',
    'a buffer has no valid length': '某个缓冲区没有有效长度',
    'a buffer is malformed': '某个缓冲区格式错误',
    'a buffer other than the first has no source': '除第一个外的某个缓冲区没有来源',
    'a buffer view has no valid buffer, offset or length': '某个缓冲视图没有有效的缓冲区、偏移或长度',
    'a buffer view is malformed': '某个缓冲视图格式错误',
    'a buffer view reaches past the end of its buffer': '某个缓冲视图超出了其缓冲区的末尾',
    'a chunk header is cut short': '某个数据块头不完整',
    'a file reference is not text': '某个文件引用不是文本',
    'it has no JSON chunk': '它没有 JSON 数据块',
    'it is a folder, not a file': '它是文件夹而不是文件',
    'it is not a glTF 2.0 binary file': '它不是 glTF 2.0 二进制文件',
    'its description is nested too deeply': '其描述嵌套过深',
    'its description is not a glTF object': '其描述不是 glTF 对象',
    'its description is not valid JSON': '其描述不是有效的 JSON',
    'its first chunk is not JSON': '其第一个数据块不是 JSON',
    'the file is too short to be a GLB': '文件太短，不可能是 GLB',
}
ZH_HANS.update({f"The model's {axis} axis becomes +Z": f"模型的 {axis} 轴变为 +Z" for axis in ("+Y", "-Y", "+X", "-X", "-Z", "+Z")})

ZH_HANS.update({
    'Preparing': '准备中',
    'Queued': '排队中',
    'Generating': '生成中',
    'Waiting': '等待中',
    'Starting a worker': '正在启动计算节点',
    'Finalizing': '收尾中',
    'Answer lost': '应答丢失',
    'Checking again': '重新检查中',
    'Downloading the result': '正在下载结果',
    'Fetching from the service': '正在从服务获取',
    'Found the job on the service': '已在服务上找到该任务',
    'Import failed': '导入失败',
    'Ready to import': '待导入',
    'Live progress lost; checking by polling': '实时进度中断；改为轮询检查',
    'Not found on the service. Check the service, then Submit Again or Dismiss.': '服务上找不到该任务。请先在服务端确认，然后选择“重新提交”或“移除”。',
    'Not sent: Blender closed first. Nothing was charged.': '未发送：Blender 先关闭了。没有产生任何费用。',
    'Pending': '待发送',
    'Submitting': '提交中',
    'Running': '进行中',
    'Downloading': '下载中',
    'Ready': '就绪',
    'Failed': '失败',
    'Unknown': '未知',
    'Succeeded': '成功',
    'stream error': '数据流错误',
    'Marked as asset': '已标记为资产',
    'Select a mesh object.': '请选择一个网格物体。',
    'The target face count must be above zero.': '目标面数必须大于零。',
    'The target height must be above zero.': '目标高度必须大于零。',
    "Blender's glTF importer did not finish.": 'Blender 的 glTF 导入器未能完成。',
    'The model file held no objects.': '模型文件中没有任何物体。',
    'The downloaded model file is missing; it may have been deleted.': '下载的模型文件不见了，可能已被删除。',
    'The downloaded model is not a GLB file (wrong signature).': '下载的模型不是 GLB 文件（文件签名不符）。',
    'The download was cut short.': '下载被中断，文件不完整。',
    'The server refused to resume the download.': '服务器拒绝续传下载。',
    'The exported mesh is not a GLB file.': '导出的网格不是 GLB 文件。',
    'The texturing result has no base colour map.': '贴图结果中没有基础色贴图。',
    'No mesh was exported for Meshy.': '没有为 Meshy 导出网格。',
    "Scenario's Hunyuan 3D 2.1 needs a reference image.": 'Scenario 的混元3D 2.1 需要一张参考图像。',
    "This job used Segmind's synchronous API, whose result cannot be fetched again. Generate again.": '该任务使用的是 Segmind 的同步接口，结果无法再次获取。请重新生成。',
    'This job was never accepted by the service; there is nothing to fetch.': '服务从未接受该任务，没有可获取的结果。',
    "The mesh has no UV map, but 'Keep Original UVs' is on. Unwrap it (U > Smart UV Project) or turn the option off.": '该网格没有 UV，但“保留原始 UV”已开启。请先展开 UV（U > 智能 UV 投射），或关闭该选项。',
    "The mesh's UV map covers too little to paint on. Unwrap it again or turn 'Keep Original UVs' off.": '该网格的 UV 覆盖范围太小，无法绘制。请重新展开 UV，或关闭“保留原始 UV”。',
    'The style image is too complex. Try a simpler one.': '风格图像过于复杂，请换一张简单些的。',
    'Meshy could not convert the mesh. Check it exports cleanly as GLB.': 'Meshy 无法转换该网格。请确认它能正常导出为 GLB。',
    'Meshy could not use the mesh or the style input.': 'Meshy 无法使用该网格或风格输入。',
    'Meshy timed out on this task. Try again.': 'Meshy 处理该任务超时，请重试。',
    "Meshy's moderation refused the prompt or image.": 'Meshy 的内容审核拒绝了该提示词或图像。',
})

ZH_HANS_FORMATS: dict[str, str] = {
    'Seed {}': '种子 {0}',
    'Seed: {}': '种子：{0}',
    'Cost: {}': '费用：{0}',
    'Input: {}': '输入：{0}',
    'Mesh: {}': '网格：{0}',
    'Segmind credits: {}': 'Segmind 余额：{0}',
    'Meshy balance: {}': 'Meshy 余额：{0}',
    'Done: {}.': '完成：{0}。',
    'Done: {} (seed {}).': '完成：{0}（种子 {1}）。',
    'Using {} from the environment (not saved anywhere).': '正在使用环境变量 {0}（不会保存到任何地方）。',
    'Imported {}.': '已导入 {0}。',
    '{} variations started.': '已开始 {0} 个变体。',
    '{} objects: {}': '{0} 个物体：{1}',
    'Generate ({} {})': '生成（{0} {1}）',
    '{}, {}': '{0}，{1}',
    '{} ({}%)': '{0}（{1}%）',
    '{} min': '{0} 分钟',
    '{} h': '{0} 小时',
    '{} d': '{0} 天',
    'Meshsmith: {}: {} ({}%). Esc to cancel.': 'Meshsmith：{0}：{1}（{2}%）。按 Esc 取消。',
    '{} task {}': '{0} 任务 {1}',
}
"""Format strings the interface fills in (``iface_("Seed: {}").format(seed)``): looked up exactly, as
Blender's own UI code does; ``{0}``, ``{1}`` in the Chinese let the values move where the grammar wants them."""

ZH_HANS_TEMPLATES: dict[str, str] = {
    "{} at {} gave no result in time: its job failed, or the server restarted and forgot it (the server never reports either). Look at the server's log; the server is free again.": '位于 {1} 的{0}未能按时给出结果：任务失败了，或服务器重启后忘记了它（服务器对两者都不报告）。请查看服务器日志；该服务器现已空闲。',
    '{} at {} failed the job: {}.': '位于 {1} 的{0}使任务失败：{2}。',
    "'{}' is not a server address. Use e.g. http://gpu-box:8081": '“{0}”不是服务器地址。请使用例如 http://gpu-box:8081',
    'The Hunyuan3D server at {} runs Hunyuan3D-2.1, which cannot paint a given mesh. Retexture through a 2.0 server.': '位于 {0} 的 Hunyuan3D 服务器运行的是 Hunyuan3D-2.1，无法为给定网格绘制贴图。请通过 2.0 服务器重新贴图。',
    '{} at {} answered a status request with something unreadable.': '位于 {1} 的{0}对状态请求返回了无法读取的内容。',
    '{} at {} did not name the job it started.': '位于 {1} 的{0}没有给出它启动的任务的编号。',
    "{} job id '{}' is not one Meshsmith made.": '{0}任务编号“{1}”不是 Meshsmith 生成的。',
    'Painting on {}': '正在 {0} 上绘制',
    'Working on {}': '正在 {0} 上处理',
    "{} reported an unknown job status '{}'.": '{0}报告了未知的任务状态“{1}”。',
    '{} said the job was done but sent no model.': '{0}说任务已完成，但没有发送模型。',
    '{} sent a model over {} MB; refused.': '{0}发送的模型超过 {1} MB；已拒绝。',
    '{} sent a model that is not a GLB file.': '{0}发送的模型不是 GLB 文件。',
    '{} sent a model that is not valid base64.': '{0}发送的模型不是有效的 base64。',
    '{} stopped sending the model before its end.': '{0}在模型发送完之前就停止了。',
    "'{}' has shape keys; the bake needs one fixed shape. Apply or remove the shape keys (on a copy, if you need them), then retexture that.": '“{0}”有形态键；烘焙需要一个固定的形状。请应用或删除形态键（如需保留，请在副本上操作），再重新贴图。',
    "'{}' is not a GLB file.": '“{0}”不是 GLB 文件。',
    'Baking onto {}': '正在烘焙到 {0}',
    'Cycles could not bake: {}': 'Cycles 无法烘焙：{0}',
    "The exported mesh '{}' cannot be read.": '无法读取导出的网格“{0}”。',
    'The mesh is {} MB as GLB; Segmind takes at most {} MB. Decimate it first.': '该网格导出为 GLB 有 {0} MB；Segmind 最多接受 {1} MB。请先精简。',
    "The modifiers of '{}' leave no faces to bake onto. Check the modifier stack (or apply it), then retexture again.": '“{0}”的修改器没有留下可烘焙的面。请检查修改器堆栈（或应用它），然后重新贴图。',
    "The object has no UV map '{}' to bake into.": '物体没有可烘焙进去的 UV 贴图“{0}”。',
    'The {} text is {} characters; {} takes at most {}.': '{0}文字有 {1} 个字符；{2} 最多接受 {3} 个。',
    '{} takes at most {} views of the object; {} were given.': '{0} 最多接受 {1} 个物体视图；提供了 {2} 个。',
    'Sending to {}': '正在发送到 {0}',
    'Looking for the job on {}': '正在 {0} 上查找该任务',
    'Queued ({} ahead)': '排队中（前面还有 {0} 个）',
    'Waiting for a {} key to resume.': '等待 {0} 密钥以继续任务。',
    'Connection problem, retrying: {}': '连接出现问题，正在重试：{0}',
    'Unreadable answer, asking again: {}': '应答无法读取，正在重新请求：{0}',
    'Internal error: {}: {}': '内部错误：{0}：{1}',
    'Placed on the ground at {}': '已放置到地面，位置 {0}',
    'Scaled by {} to {} m': '已缩放 {0} 倍，高度 {1} 米',
    'Turned {} up': '已将 {0} 朝上',
    'Auto smooth at {}°': '已按 {0}° 自动平滑',
    'Merged {} vertices': '已合并 {0} 个顶点',
    'Already {} faces': '已是 {0} 个面',
    'Decimated from {} to {} faces': '面数已从 {0} 精简到 {1}',
    'Packed {} texture(s)': '已打包 {0} 张纹理',
    "'{}' has no height to scale.": '“{0}”没有高度，无法缩放。',
    "'{}' is a folder, not an image file.": '“{0}”是文件夹，不是图像文件。',
    "The image file '{}' does not exist.": '图像文件“{0}”不存在。',
    "The image file '{}' does not exist or cannot be read.": '图像文件“{0}”不存在或无法读取。',
    "The image file '{}' is empty.": '图像文件“{0}”是空的。',
    "The image file '{}' is {} MB; the limit is {} MB.": '图像文件“{0}”为 {1} MB；上限为 {2} MB。',
    "The image file '{}' is {} MB; the limit is {} MB. Save a smaller copy.": '图像文件“{0}”为 {1} MB；上限为 {2} MB。请另存一份更小的。',
    "The image '{}' is {} MB; Scenario takes images up to {} MB. Save a smaller copy.": '图像“{0}”为 {1} MB；Scenario 接受的图像最大为 {2} MB。请另存一份更小的。',
    "The image '{}' has no pixels.": '图像“{0}”没有像素数据。',
    "The image '{}' has no pixels (its file is missing). Open the file again.": '图像“{0}”没有像素数据（文件缺失）。请重新打开该文件。',
    "'{}' is not a PNG, JPEG or WebP image.": '“{0}”不是 PNG、JPEG 或 WebP 图像。',
    "'{}' is cut short (the file ends before the image does).": '“{0}”不完整（文件在图像结束前就截断了）。',
    '{} Choose another image or save it again.': '{0} 请换一张图像，或重新保存。',
    "Cannot write to the results folder '{}'. Choose another in Meshsmith's preferences.": '无法写入结果文件夹“{0}”。请在 Meshsmith 偏好设置中另选一个。',
    'The prompt is {} characters; the limit is {}.': '提示词有 {0} 个字符；上限为 {1}。',
    'The {} text is {} characters; Meshy takes at most {}.': '{0}文字有 {1} 个字符；Meshy 最多接受 {2} 个。',
    "Unknown provider '{}'.": '未知的服务“{0}”。',
    "The style image '{}' does not exist.": '风格图像“{0}”不存在。',
    "The style image '{}' is over {} MB.": '风格图像“{0}”超过 {1} MB。',
    "The style image '{}' must be a PNG or JPEG.": '风格图像“{0}”必须是 PNG 或 JPEG。',
    "'{}' has no UV map, but 'Keep Original UVs' is on. Unwrap it (U > Smart UV Project) or turn the option off.": '“{0}”没有 UV，但“保留原始 UV”已开启。请先展开 UV（U > 智能 UV 投射），或关闭该选项。',
    "'{}' has no faces to texture.": '“{0}”没有可贴图的面。',
    "'{}' is a {}, not a mesh. Select a mesh object.": '“{0}”是{1}，不是网格。请选择一个网格物体。',
    "'{}' is not in the current view layer.": '“{0}”不在当前视图层中。',
    "'{}' is {} MB as GLB; the limit is {} MB. Decimate it first.": '“{0}”导出为 GLB 后为 {1} MB；上限为 {2} MB。请先精简。',
    "Blender could not export '{}' to GLB.": 'Blender 无法将“{0}”导出为 GLB。',
    'The mesh is {} MB as GLB; Meshy takes up to {} MB. Decimate it first.': '该网格导出为 GLB 后为 {0} MB；Meshy 最多接受 {1} MB。请先精简。',
    "The object '{}' to texture is gone (renamed or deleted). Use Import to bring the result in as a new object.": '要贴图的物体“{0}”不见了（已改名或删除）。请用“导入”把结果作为新物体导入。',
    'Blender could not import the model: {}': 'Blender 无法导入该模型：{0}',
    'The downloaded model is glTF version {}; only version 2 can be imported.': '下载的模型是 glTF {0} 版；只能导入第 2 版。',
    'The downloaded model is truncated or padded: it declares {} bytes but has {}.': '下载的模型被截断或有多余数据：声明 {0} 字节，实际 {1} 字节。',
    'The result is over the {} MB limit.': '结果超过 {0} MB 的上限。',
    'The result is {} MB, over the {} MB limit.': '结果为 {0} MB，超过 {1} MB 的上限。',
    'The download from {} broke off. Try again.': '从 {0} 的下载中断了。请重试。',
    'Could not reach {}: the connection failed or was dropped. Check your connection and try again.': '无法连接到 {0}：连接失败或被中断。请检查网络后重试。',
    "Could not make a secure connection to {}: the certificate was not trusted. Behind a company proxy, set its CA certificate file in Meshsmith's preferences.": '无法与 {0} 建立安全连接：证书不受信任。如在公司代理之后，请在 Meshsmith 偏好设置中指定其 CA 证书文件。',
    'Refused to contact {}: only https is allowed (or http to this computer).': '已拒绝连接 {0}：只允许 https（或连接本机的 http）。',
    '{} did not answer in time. Check your connection and try again.': '{0} 未及时应答。请检查网络后重试。',
    '{} redirected too many times.': '{0} 重定向次数过多。',
    '{} sent an answer that is not valid JSON. Try again; if it persists, the service may have changed.': '{0} 返回的不是有效的 JSON。请重试；若持续出现，可能是服务接口有变。',
    "The {} server address '{}' is not a URL. Use e.g. https://api.example.com": '{0} 服务器地址“{1}”不是有效网址。示例：https://api.example.com',
    'The {} server address must use https (plain http is allowed only for this computer).': '{0} 服务器地址必须使用 https（只有本机可用 http）。',
    '{} rejected the request: {}': '{0} 拒绝了请求：{1}',
    '{} refused the API key. Check it in Edit > Preferences > Add-ons > Meshsmith.': '{0} 拒绝了该 API 密钥。请在 编辑 > 偏好设置 > 插件 > Meshsmith 中检查。',
    'Your {} account has run out of credits. Top up, then try again.': '你的 {0} 账户余额已用完。请充值后重试。',
    '{} refused access: {}. Check the key and its project or plan.': '{0} 拒绝访问：{1}。请检查密钥及其项目或套餐。',
    '{} does not know this address or job: {}': '{0} 找不到该地址或任务：{1}',
    '{} refused the request method; its API may have changed. Update Meshsmith.': '{0} 拒绝了请求方法；其接口可能已变更。请更新 Meshsmith。',
    'Your {} account has not enough credits for this job. Top up, then try again.': '你的 {0} 账户余额不足以完成该任务。请充值后重试。',
    '{} timed out waiting for the request. Try again.': '{0} 等待请求超时。请重试。',
    '{} says the upload is too large. Use a smaller image or mesh.': '{0} 表示上传内容过大。请使用更小的图像或网格。',
    '{} could not process the parameters: {}': '{0} 无法处理这些参数：{1}',
    '{} is rate limiting this account: {}. Meshsmith will wait and retry reads; try submitting later.': '{0} 正在限制该账户的请求频率：{1}。Meshsmith 会等待并重试查询；请稍后再提交。',
    '{} had a server error (HTTP {}): {}. Try again later.': '{0} 服务器出错（HTTP {1}）：{2}。请稍后重试。',
    '{} answered HTTP {}: {}': '{0} 返回 HTTP {1}：{2}',
    '{} gave no address for {}.': '{0} 没有给出{1}的地址。',
    "{} reported an unknown job status '{}'. Meshsmith may need an update.": '{0} 报告了未知的任务状态“{1}”。Meshsmith 可能需要更新。',
    '{} canceled the job.': '{0} 取消了该任务。',
    '{} finished the job but sent no model.': '{0} 完成了任务，但没有返回模型。',
    '{} finished but its answer held no model.': '{0} 已完成，但应答中没有模型。',
    '{} reports the job done but gave no model to download.': '{0} 报告任务完成，但没有提供可下载的模型。',
    '{} finished the job but none of its {} results is a 3D model.': '{0} 完成了任务，但其 {1} 个结果中没有 3D 模型。',
    '{} finished the task but sent no files.': '{0} 完成了任务，但没有返回文件。',
    '{} accepted the image but gave no asset id.': '{0} 接受了图像，但没有给出资产 ID。',
    '{} accepted the job but its answer had no job id.': '{0} 接受了任务，但应答中没有任务 ID。',
    '{} accepted the job but its answer had no request id.': '{0} 接受了任务，但应答中没有请求 ID。',
    '{} accepted the task but gave no task id.': '{0} 接受了任务，但没有给出任务 ID。',
    '{} gave no cost estimate.': '{0} 没有给出费用估算。',
    '{} sent a job without a status.': '{0} 返回的任务没有状态。',
    "{} sent a job status without a 'status' field.": '{0} 返回的任务状态缺少“status”字段。',
    '{} sent a malformed asset record.': '{0} 返回的资产记录格式有误。',
    '{} sent a malformed balance.': '{0} 返回的余额格式有误。',
    '{} sent a malformed credits answer.': '{0} 返回的余额应答格式有误。',
    '{} sent a task list that is not a list.': '{0} 返回的任务列表不是列表。',
    '{} sent a task without an id or status.': '{0} 返回的任务缺少 ID 或状态。',
    '{} sent an unreadable progress event.': '{0} 发来了无法读取的进度事件。',
    '{} does not know this task: {}': '{0} 找不到该任务：{1}',
    '{} reported a stream error: {}': '{0} 报告了数据流错误：{1}',
    '{} could not texture the mesh: {}': '{0} 无法为该网格贴图：{1}',
    "{}'s queue for your account is full (too many tasks at once). Wait for one to finish, then try again.": '{0} 上你账户的队列已满（同时进行的任务太多）。请等待一个任务完成后重试。',
    'The progress stream from {} broke off.': '来自 {0} 的进度数据流中断了。',
    'The progress stream from {} ended before the task did.': '来自 {0} 的进度数据流在任务完成前就结束了。',
    '{} has not finished after {} minutes. Meshsmith stopped waiting; use Retry Fetch to check again.': '{0} 在 {1} 分钟后仍未完成。Meshsmith 已停止等待；可用“重新获取”再次检查。',
    'Lost contact with {} for {} minutes ({}). Use Retry Fetch to check again.': '与 {0} 失去联系已 {1} 分钟（{2}）。可用“重新获取”再次检查。',
    'The answer from {} was lost ({}). The job may exist and may be billed; Meshsmith will not send it again by itself.': '来自 {0} 的应答丢失了（{1}）。该任务可能已存在并可能被计费；Meshsmith 不会自行再次发送。',
    'The answer from {} to the creating request was lost, so the job may exist and may be billed. Meshsmith did not send it again and could not find it by looking it up. Check your {} account, then Submit Again or Dismiss.': '{0} 对创建请求的应答丢失了，因此该任务可能已存在并可能被计费。Meshsmith 没有再次发送，也未能查到它。请检查你的 {1} 账户，然后选择“重新提交”或“移除”。',
    "'{}' is not a regular file (a pipe or a device); choose an image file.": '“{0}”不是普通文件（是管道或设备）；请选择一个图像文件。',
    'Meshsmith cannot write its job record ({}). Free some disk space; results are not imported by themselves until it can.': 'Meshsmith 无法写入任务记录（{0}）。请释放一些磁盘空间；在此之前结果不会自动导入。',
    'Meshsmith could not read its job record {} ({}); earlier jobs are not listed.': 'Meshsmith 无法读取任务记录 {0}（{1}）；之前的任务不会列出。',
    'Meshsmith skipped {} in its job record.': 'Meshsmith 跳过了任务记录中的{0}。',
    'Meshsmith skipped {} in its job record; a copy of the file was kept as {}.': 'Meshsmith 跳过了任务记录中的{0}；文件副本已保存为 {1}。',
    "Meshsmith's job record {} cannot be used ({}) nor moved aside ({}).": 'Meshsmith 的任务记录 {0} 无法使用（{1}），也无法移开（{2}）。',
    "Meshsmith's job record {} could not be used ({}); it was moved to {}.": 'Meshsmith 的任务记录 {0} 无法使用（{1}）；已移至 {2}。',
    "Several objects are copies of '{}', the object to texture; Meshsmith cannot tell which is meant. Use Import as New Object.": '有多个物体是待贴图物体“{0}”的副本；Meshsmith 无法判断是哪一个。请使用“作为新物体导入”。',
    "The downloaded file '{}' is missing; it may have been deleted.": '下载的文件“{0}”不见了；可能已被删除。',
    'The model from {} could not be read ({}).': '无法读取来自 {0} 的模型（{1}）。',
    "The object '{}' to texture is in {}, not in this file. Open that file, or use Import as New Object.": '待贴图物体“{0}”在 {1} 中，不在此文件中。请打开那个文件，或使用“作为新物体导入”。',
    "The object '{}' to texture is no longer a mesh. Use Import as New Object.": '待贴图物体“{0}”已不再是网格。请使用“作为新物体导入”。',
    "The object '{}' to texture is not in this file (deleted, or another file is open). Use Import as New Object to bring the result in.": '待贴图物体“{0}”不在此文件中（已删除，或打开的是另一个文件）。请使用“作为新物体导入”导入结果。',
    "The result file '{}' is not inside the job's own folder; nothing was imported.": '结果文件“{0}”不在该任务自己的文件夹内；未导入任何内容。',
    'The transfer from {} was too slow (under {} KB/s for {} seconds); Meshsmith will try again.': '来自 {0} 的传输太慢（{2} 秒内低于 {1} KB/s）；Meshsmith 将重试。',
    'a buffer declares {} bytes but only {} back it': '某个缓冲区声明了 {0} 字节，但只有 {1} 字节的数据',
    'a chunk declares {} bytes, more than the file holds': '某个数据块声明了 {0} 字节，超过了文件的大小',
    'a server-sent event line or event over {} characters': '服务器推送事件的一行或一个事件超过 {0} 个字符',
    'it declares {} bytes but has {}': '它声明了 {0} 字节，实际有 {1} 字节',
    "it points at a file Meshsmith did not download for it ('{}')": '它指向一个 Meshsmith 未为其下载的文件（“{0}”）',
    "it points at a file outside its own folder ('{}')": '它指向其文件夹之外的文件（“{0}”）',
    "its '{}' is not a list": '其“{0}”不是列表',
    'its description is over {} MB': '其描述超过 {0} MB',
    '{} did not finish answering within {} seconds. Check your connection and try again.': '{0} 未在 {1} 秒内完成应答。请检查网络连接后重试。',
    '{} redirected in a loop; Meshsmith stopped following it.': '{0} 的重定向形成了循环；Meshsmith 已停止跟随。',
    '{} redirected more than {} times; Meshsmith stopped following it.': '{0} 重定向超过 {1} 次；Meshsmith 已停止跟随。',
    '{} sent a model that Meshsmith refused: {}. Nothing was imported.': '{0} 发来的模型被 Meshsmith 拒绝：{1}。未导入任何内容。',
    '{} sent a progress line over {} MB; Meshsmith refused it.': '{0} 发来的进度行超过 {1} MB；Meshsmith 已拒绝。',
    '{} sent an answer nested too deeply to read; Meshsmith refused it.': '{0} 发来的应答嵌套过深，无法读取；Meshsmith 已拒绝。',
    '{} sent an answer of more than {} (after decompression); Meshsmith refused it. If this persists, the service may be misbehaving.': '{0} 发来的应答（解压后）超过 {1}；Meshsmith 已拒绝。如果持续出现，该服务可能工作异常。',
    "{} sent the request on to {}, which refused it: Meshsmith never sends your key to another server. Your key was not checked; if this persists, the service's address may be wrong.": '{0} 将请求转发到了 {1}，后者拒绝了它：Meshsmith 从不把你的密钥发给其他服务器。你的密钥并未被检查；如果持续出现，服务地址可能有误。',
    '{} unreadable line(s)': '{0} 行无法读取的内容',
    'Running in another Blender: {}': '正在另一个 Blender 中运行：{0}',
    'Cost: {} credits': '费用：{0} 积分',
    'Could not upload the inputs to {} ({}). Nothing was created or billed; Submit Again is safe.': '无法将输入上传到 {0}（{1}）。未创建任何任务，也未计费；可以放心重新提交。',
    'Meshy takes at most {} views of the object; {} were given.': 'Meshy 最多接受 {0} 个物体视图；提供了 {1} 个。',
    "The answer from {} to the creating request was lost, and the job is not in {}'s job list after {} seconds of looking: it was most likely never created, so Submit Again is safe. If you see it on your account, Dismiss instead.": '{0} 对创建请求的应答丢失了，查找 {2} 秒后 {1} 的任务列表中仍没有该任务：它很可能从未被创建，因此可以放心重新提交。如果你在账户中看到了它，请改为移除。',
    'The answer from {} to the creating request was lost, so the job may exist and may be billed. {} cannot be asked for its jobs, so Meshsmith did not send it again. Check your {} account, then Submit Again or Dismiss.': '{0} 对创建请求的应答丢失了，因此该任务可能已存在并可能被计费。{1} 无法查询其任务，所以 Meshsmith 没有再次发送。请检查你的 {2} 账户，然后选择“重新提交”或“移除”。',
    "Your {} team has reached its spend limit ({}). Ask the team's owner to raise it; nothing was billed.": '你的 {0} 团队已达到消费上限（{1}）。请团队所有者提高上限；未产生任何费用。',
    '{} has retired this model or endpoint ({}); nothing was billed. Meshsmith may need an update.': '{0} 已停用此模型或端点（{1}）；未产生任何费用。Meshsmith 可能需要更新。',
    '{} is busy (rate limit); sending again in {} s': '{0} 繁忙（速率限制）；将在 {1} 秒后重新发送',
    '{} no longer has a record of this job: it keeps request records for about an hour, and the result was not fetched in that time. It cannot be fetched now; Generate again.': '{0} 已不再保存该任务的记录：请求记录只保留约一小时，而结果未在此期间获取。现在无法再获取；请重新生成。',
    "{} no longer offers Text to Texture (HTTP {}); nothing was billed. Switch the endpoint to Retexture, Meshy's current texturing endpoint, and try again.": '{0} 已不再提供文本生成纹理（HTTP {1}）；未产生任何费用。请将端点切换为重新贴图（Meshy 目前的贴图端点）后重试。',
    "{} refused the request's format ({}). Meshsmith may need an update; nothing was billed.": '{0} 拒绝了请求的格式（{1}）。Meshsmith 可能需要更新；未产生任何费用。',
    "{}'s model takes no prompt; leave it empty.": '{0} 的模型不接受提示词；请留空。',
    "{}'s test mode is unavailable right now (its public test key was refused). Turn off 'Try Meshy Without Credits' and use your own key, or try again later.": '{0} 的测试模式目前不可用（其公开测试密钥被拒绝）。请关闭“免积分试用 Meshy”并使用你自己的密钥，或稍后再试。',
}
"""Messages built at run time away from Blender (errors, job progress, tweak summaries), by the English
template with ``{}`` for each value. ``translate_message`` recognises a finished English message by its
template and rebuilds it in the artist's language, translating the values too when they are messages
themselves (a connection error inside "Connection problem, retrying: ...")."""



def _table() -> dict:
    entries = {}
    for table in (ZH_HANS, ZH_HANS_FORMATS, ZH_HANS_TEMPLATES):
        for english, chinese in table.items():
            for context in ("*", "Operator"):
                entries[(context, english)] = chinese
    return {"zh_HANS": entries}


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each template as a pattern that matches its finished messages; most specific (most words) first."""
    compiled = []
    for template in ZH_HANS_TEMPLATES:
        parts = template.split("{}")
        compiled.append((re.compile("(.+?)".join(re.escape(part) for part in parts), re.DOTALL), template))
    return sorted(compiled, key=lambda item: -len(item[1].replace("{}", "")))


def translate_message(text: str, lookup: Callable[[str], str] | None = None) -> str:
    """``text`` (a finished English message) in the artist's language, or unchanged.

    ``lookup`` returns a string's translation, or the string itself when there is none; by default
    Blender's ``pgettext_rpt``, which follows the language and the "Translate Reports" setting. A fixed
    message is looked up whole; one with values is matched against ``ZH_HANS_TEMPLATES``, its
    template translated and the values put back (each translated in turn, as it may be a message
    itself). Service names, file names and the service's own words pass through unchanged.
    """
    if lookup is None:
        lookup = bpy.app.translations.pgettext_rpt
        return _translate_cached(text, bpy.app.translations.locale, lookup)
    return _translate(text, lookup)


@functools.lru_cache(maxsize=1024)
def _translate_cached(text: str, _locale: str, lookup: Callable[[str], str]) -> str:
    # The panel redraws the same messages many times a second: match each once per language.
    return _translate(text, lookup)


def _translate(text: str, lookup: Callable[[str], str]) -> str:
    if not text.strip():
        return text
    whole = lookup(text)
    if whole != text:
        return whole
    for pattern, template in _patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        translated = lookup(template)
        if translated == template:
            return text  # this language has no entry (or translation is off): leave it as it is
        return translated.format(*(_translate(value, lookup) for value in match.groups()))
    return text


registered_with = ""
"""The package name the table was registered under (empty while unregistered)."""


def register() -> None:
    global registered_with
    bpy.app.translations.register(__package__, _table())
    registered_with = __package__


def unregister() -> None:
    global registered_with
    bpy.app.translations.unregister(__package__)
    registered_with = ""
