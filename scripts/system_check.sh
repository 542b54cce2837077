#!/usr/bin/env bash
# Before the dashboard starts: the charts in PNG downloads and in the Word report are drawn by the
# system's chromium with a CJK font (no browser is ever downloaded). On Debian/Ubuntu as root, install
# them when they are missing; otherwise say in Chinese exactly what to install. Never fails `make run`:
# without them everything works except the pictures.
set -u
have_chromium() { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }
have_font() { command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }
if have_chromium && have_font; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "正在安装图表导出所需的 chromium 和中文字体（fonts-noto-cjk）……"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null; then
    echo "已安装 chromium 和 fonts-noto-cjk。"
    exit 0
  fi
  echo "自动安装失败（可能无法访问软件源）。"
fi
echo "提示：本机缺少图表导出所需的 chromium 或中文字体，看板照常运行，但“下载图片”按钮不可用、"
echo "      Word 情况总结里不含图表。请由管理员执行："
echo "      sudo apt-get install -y --no-install-recommends chromium fonts-noto-cjk"
exit 0
