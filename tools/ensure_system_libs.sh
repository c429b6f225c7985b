#!/usr/bin/env bash
# Qt's offscreen and xcb platforms need a few shared libraries that a bare Debian machine lacks.
# Probe by importing QtWidgets; install only what is missing, and only when we can (root + apt).
set -u
py="${1:-python3}"
probe() { QT_QPA_PLATFORM=offscreen "$py" -c "from PySide6 import QtWidgets, QtGui; import cv2" 2>&1; }
if out=$(probe); then exit 0; fi
echo "Qt/OpenCV could not load: $out" | tail -n 3
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq libgl1 libegl1 libglib2.0-0 libxkbcommon0 libfontconfig1 libdbus-1-3 \
    libxkbcommon-x11-0 libxcb-cursor0 >/dev/null
  if out=$(probe); then exit 0; fi
  echo "$out" | tail -n 3
fi
echo "Install the missing system libraries above (see README, Troubleshooting)." >&2
exit 1
