"""The interface strings that name this service, in other languages (merged into the add-on's tables when it
registers, through ``ProviderInfo.strings``). Messages with values use ``{}`` for each, as the add-on's own
templates do."""

ZH_HANS: dict[str, str] = {
    'Hunyuan3D-Paint (Segmind)': 'Hunyuan3D-Paint 绘制（Segmind）',
    'Paint the mesh from a reference image on Segmind, then bake the result onto its own UVs': '在 Segmind 上按参考图像为网格绘制贴图，再烘焙到网格自身的 UV 上',
    'Segmind': 'Segmind',
    'Hunyuan3D-2 (Segmind)': '混元3D-2（Segmind）',
    'Image to textured mesh on Segmind': '在 Segmind 上由图像生成带纹理的网格',
    'How to talk to Segmind': '与 Segmind 通信的方式',
    'Add your Segmind API key in the preferences (or turn on the sandbox).': '请在偏好设置中填写 Segmind API 密钥（或开启沙盒）。',
    'Segmind API Key': 'Segmind API 密钥',
    'Your Segmind key. Stored by Blender in your user preferences file, never in .blend scenes': '你的 Segmind 密钥。由 Blender 保存在用户偏好设置文件中，绝不会写入 .blend 场景',
    'Segmind Server': 'Segmind 服务器',
    'No Segmind API key. Add it in Edit > Preferences > Add-ons > Meshsmith, or set MESHSMITH_SEGMIND_API_KEY.': '没有 Segmind API 密钥。请在 编辑 > 偏好设置 > 插件 > Meshsmith 中填写，或设置 MESHSMITH_SEGMIND_API_KEY。',
    "This job used Segmind's synchronous API, whose result cannot be fetched again. Generate again.": '该任务使用的是 Segmind 的同步接口，结果无法再次获取。请重新生成。',
}
"""Simplified Chinese: fixed strings (labels, tooltips, messages) and messages built at run time, by their
English template."""
