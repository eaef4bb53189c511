"""Interface translation: every user-facing string has a Simplified Chinese entry, and Blender uses it."""

from __future__ import annotations

import re

import bpy

from blender_helpers import submodule
from tools.i18n_strings import all_strings

NOT_WORDS = re.compile(r"^([+\-]?[XYZ]|\d+)$")


def test_every_user_facing_string_has_a_translation(addon):
    table = submodule("i18n.translations").all_strings()
    strings = {text for text in all_strings(addon) if not NOT_WORDS.match(text)}
    missing = sorted(text for text in strings if text not in table)
    assert len(strings) > 150
    assert missing == []


def test_no_translation_is_empty_or_left_in_english_by_mistake():
    table = submodule("i18n.translations").all_strings()
    brands = {"Segmind", "Scenario", "Meshy", "Meshy 5", "Meshy 6", "Meshy 6 Lite", "Meshy 7", "Meshy N1", "1K", "2K", "4K", "8K"}
    for english, chinese in table.items():
        assert chinese.strip()
        if english not in brands:
            assert re.search(r"[\u4e00-\u9fff]", chinese), english


def test_the_table_is_registered_with_blender_for_both_contexts(addon):
    translations = submodule("i18n.translations")
    table = translations._table()["zh_HANS"]
    assert table[("*", "Generate")] == "生成" and table[("Operator", "Retexture")] == "重新贴图"
    assert translations.registered_with == addon.__name__
    # The bpy wheel is built without international support (no locale data, the language list is only
    # DEFAULT), so Blender cannot be switched to Chinese here; in a release build the table above is used.
    if bpy.app.build_options.international:
        assert bpy.app.translations.pgettext_iface("Generate") in ("Generate", "生成")


def _chinese(addon):
    """A lookup that answers as Blender does with the language set to Simplified Chinese."""
    table = submodule("i18n.translations")._table()["zh_HANS"]
    return lambda text: table.get(("*", text), text)


def test_every_message_built_at_run_time_has_a_translation():
    from tools.i18n_strings import message_templates

    translations = submodule("i18n.translations")
    templates = message_templates()
    assert len(templates) > 120
    missing = []
    for template in sorted(templates):
        table = (translations.all_templates(), translations.ZH_HANS_FORMATS) if "{}" in template else (translations.all_strings(),)
        if not any(template in entries for entries in table):
            missing.append(template)
    assert missing == []


def test_each_template_puts_every_value_back():
    translations = submodule("i18n.translations")
    for table in (translations.all_templates(), translations.ZH_HANS_FORMATS):
        for english, chinese in table.items():
            wanted = {f"{{{index}}}" for index in range(english.count("{}"))}
            assert set(re.findall(r"\{\d\}", chinese)) == wanted, english
            assert re.search(r"[\u4e00-\u9fff]", chinese) or not re.search(r"[A-Za-z]{2}", english.replace("{}", "")), english


def test_messages_with_values_are_rebuilt_in_chinese(addon):
    translations, errors = submodule("i18n.translations"), submodule("net.errors")
    chinese = _chinese(addon)
    translate = lambda text: translations.translate_message(text, chinese)  # noqa: E731
    # A status error with the service's own words: the words are quoted as they came.
    rejected = str(errors.error_for_status("Segmind", 400, "image too small"))
    assert translate(rejected) == "Segmind 拒绝了请求：image too small"
    # A message inside a message: both parts are translated.
    unreachable = str(errors.TransportError("Could not reach api.meshy.ai: the connection failed or was dropped. "
                                            "Check your connection and try again."))
    assert translate(f"Connection problem, retrying: {unreachable}") == (
        "连接出现问题，正在重试：无法连接到 api.meshy.ai：连接失败或被中断。请检查网络后重试。")
    assert translate("Sending to Scenario") == "正在发送到 Scenario"
    assert translate("Queued") == "排队中"
    assert translate("The prompt is 1200 characters; the limit is 1024.") == "提示词有 1200 个字符；上限为 1024。"
    # Values can move: the Chinese puts them where its grammar wants them.
    assert translate("Lost contact with Meshy for 5 minutes (timeout). Use Retry Fetch to check again.") == (
        "与 Meshy 失去联系已 5 分钟（timeout）。可用“重新获取”再次检查。")


def test_unknown_text_and_english_pass_through_unchanged(addon):
    translate = submodule("i18n.translations").translate_message
    assert translate("a sentence no table has", _chinese(addon)) == "a sentence no table has"
    assert translate("Sending to Scenario", lambda text: text) == "Sending to Scenario"  # English interface
    assert translate("Sending to Scenario") == "Sending to Scenario"  # this Blender: no locale data, English
    assert translate("") == ""


def test_long_chinese_messages_wrap_in_the_panel():
    wrap = submodule("panels.sidebar")._wrap
    lines = wrap("无法与 api.segmind.com 建立安全连接：证书不受信任。如在公司代理之后，请在 Meshsmith 偏好设置中指定其 CA 证书文件。", 48)
    assert len(lines) > 1 and all(submodule("panels.sidebar")._columns(line) <= 48 for line in lines)
    assert wrap("one two three", 48) == ["one two three"]
