"""The interface strings that name this service, in other languages (merged into the add-on's tables when it
registers, through ``ProviderInfo.strings``). Messages with values use ``{}`` for each, as the add-on's own
templates do."""

ZH_HANS: dict[str, str] = {
    "'{}' is not a Scenario model id (e.g. model_tripo-v3-1-image-to-3d).": '“{0}”不是 Scenario 模型 ID（例如 model_tripo-v3-1-image-to-3d）。',
    "Retexture or remesh the selected mesh with a model of Scenario's catalog": '使用 Scenario 目录中的模型为所选网格重新贴图或重建拓扑',
    'Scenario catalog': 'Scenario 目录',
    'Scenario did not open the upload as asked.': 'Scenario 没有按要求开始上传。',
    'Scenario gave an upload part without an address.': 'Scenario 给出的上传分片没有地址。',
    'Scenario sent a model list that is not an object.': 'Scenario 发来的模型列表不是对象。',
    'Scenario': 'Scenario',
    'Hunyuan 3D 2.1 (Scenario)': '混元3D 2.1（Scenario）',
    'Image to PBR-textured mesh on Scenario': '在 Scenario 上由图像生成带 PBR 纹理的网格',
    'Add your Scenario API key and secret in the preferences (or turn on the sandbox).': '请在偏好设置中填写 Scenario API 密钥和密钥口令（或开启沙盒）。',
    'Scenario API Key': 'Scenario API 密钥',
    'Scenario API Secret': 'Scenario API 密钥口令',
    'Scenario Project ID': 'Scenario 项目 ID',
    'Your Scenario API key. Stored by Blender in your user preferences file, never in .blend scenes': '你的 Scenario API 密钥。由 Blender 保存在用户偏好设置文件中，绝不会写入 .blend 场景',
    'The secret shown once when the Scenario key was created': '创建 Scenario 密钥时只显示一次的密钥口令',
    'Scenario Server': 'Scenario 服务器',
    'No Scenario API key and secret. Add them in Edit > Preferences > Add-ons > Meshsmith, or set MESHSMITH_SCENARIO_API_KEY and MESHSMITH_SCENARIO_API_SECRET.': '没有 Scenario API 密钥和密钥口令。请在 编辑 > 偏好设置 > 插件 > Meshsmith 中填写，或设置 MESHSMITH_SCENARIO_API_KEY 和 MESHSMITH_SCENARIO_API_SECRET。',
    "'{}' is {} MB; Scenario uploads are limited here to {} MB.": '“{0}”为 {1} MB；此处 Scenario 上传的上限为 {2} MB。',
    "Scenario described the model '{}' without readable inputs.": 'Scenario 对模型“{0}”的描述中没有可读的输入。',
    "Scenario did not finish checking the upload of '{}' in time.": 'Scenario 没有按时完成对“{0}”上传的检查。',
    "Scenario has no model '{}'. Refresh the catalog and choose another.": 'Scenario 没有模型“{0}”。请刷新目录并选择其他模型。',
    "Scenario refused the upload of '{}': {}.": 'Scenario 拒绝了“{0}”的上传：{1}。',
    'Scenario retired {}; use {} instead.': 'Scenario 已停用 {0}；请改用 {1}。',
    "The image '{}' is {} MB; Scenario takes images up to {} MB. Save a smaller copy.": '图像“{0}”为 {1} MB；Scenario 接受的图像最大为 {2} MB。请另存一份更小的。',
    "Scenario's Hunyuan 3D 2.1 needs a reference image.": 'Scenario 的混元3D 2.1 需要一张参考图像。',
}
"""Simplified Chinese: fixed strings (labels, tooltips, messages) and messages built at run time, by their
English template."""
