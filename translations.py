"""Simplified Chinese (zh_HANS) for every label, tooltip and fixed message, through ``bpy.app.translations``.

Blender looks strings up exactly, so each entry is the English text as written in the code. Names
of services and models (Segmind, Scenario, Meshy, Hunyuan) stay as they are. A test checks that every
user-facing string the add-on registers or draws has an entry here.
"""

from __future__ import annotations

import bpy

ZH_HANS: dict[str, str] = {
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
    "Estimate Cost": "估算费用", "Ask Scenario what a job with these settings would cost (a dry run: nothing is spent)": "向 Scenario 询问此设置下任务的费用（试运行：不会消费）",
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
}
ZH_HANS.update({f"The model's {axis} axis becomes +Z": f"模型的 {axis} 轴变为 +Z" for axis in ("+Y", "-Y", "+X", "-X", "-Z", "+Z")})


def _table() -> dict:
    entries = {}
    for english, chinese in ZH_HANS.items():
        for context in ("*", "Operator"):
            entries[(context, english)] = chinese
    return {"zh_HANS": entries}


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
