"""Entry point: `maskpilot [FOLDER]`, `python -m app [FOLDER]`, `python -m app --sample`.

`--lang ko|en` picks the UI language for one run (app.ui.language).
`--self-test` checks an installation (used on the PyInstaller bundle): it opens the generated
sample folder offscreen, waits until an image is decoded and shown, and exits 0, or nonzero with
the reason on stderr (missing resources, an unhandled error, or no image within the timeout).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys

SELF_TEST_TIMEOUT_S = 60

log = logging.getLogger("maskpilot")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="maskpilot", description="Segmentation labeling with model suggestions.")
    p.add_argument("folder", nargs="?", help="image folder to open")
    p.add_argument("--sample", action="store_true", help="open the generated sample folder")
    p.add_argument("--lang", choices=("en", "ko"),
                   help="UI language for this run (default: View > Language, else the system's)")
    p.add_argument("--debug", action="store_true", help="verbose logging (DEBUG level, also on stderr)")
    p.add_argument("--self-test", action="store_true",
                   help="open the sample folder offscreen, load one image, exit 0 when it worked")
    return p.parse_args(argv)


NO_DISPLAY = (
    "maskpilot: no display found: run it on a desktop (X11 or Wayland), or use "
    "QT_QPA_PLATFORM=offscreen for the self-test (maskpilot --self-test)."
)


def display_missing(environ: dict[str, str] | os._Environ = os.environ, platform: str = sys.platform) -> bool:
    """On Linux, Qt's default xcb platform aborts with cryptic errors when there is no display."""
    if not platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return False
    return not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def main(argv: list[str] | None = None) -> int:
    # Training runs in a "spawn" child process; in a frozen bundle that child starts here.
    multiprocessing.freeze_support()
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not args.self_test and display_missing():
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    if args.self_test:
        # Must be set before the QApplication exists; the dialog would block an unattended run.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["MASKPILOT_NO_CRASH_DIALOG"] = "1"
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication

    from app.ui import language
    from app.window import crash_handler
    from app.window.main_window import MainWindow

    log_path = crash_handler.setup_logging(args.debug)
    QImageReader.setAllocationLimit(0)  # we decode with OpenCV; Qt must not refuse big images either
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MaskPilot")
    app.setOrganizationName("MaskPilot")
    language.install(language.choose_language(args.lang, QSettings("MaskPilot", "MaskPilot")), app)
    window = MainWindow()
    handler = crash_handler.install(lambda: window, log_path=log_path)
    log.info("MaskPilot starting (frozen=%s, debug=%s)", getattr(sys, "frozen", False), args.debug)
    log.debug("Arguments: %s; log file %s", vars(args), log_path)
    window.show()
    if args.self_test:
        return _self_test(app, window, handler)
    folder = args.folder
    if args.sample or (folder is None and not window.folders.recent()):
        from app.sample import ensure_sample_folder

        folder = str(ensure_sample_folder())
    elif folder is None:
        folder = window.folders.recent()[0]
    window.open_folder(folder)
    return app.exec()


def _self_test(app, window, handler) -> int:
    import time

    from PySide6.QtCore import QTimer

    from app.paths import resource_path
    from app.sample import ensure_sample_folder

    for rel in (("classes", "coco_things.json"), ("icons", "app.svg"), ("i18n", "maskpilot_ko.qm")):
        if not resource_path(*rel).is_file():
            print(f"self-test: resource missing: {resource_path(*rel)}", file=sys.stderr)
            return 3
    folder = ensure_sample_folder()
    if not window.open_folder(str(folder)):
        print(f"self-test: could not open {folder}", file=sys.stderr)
        return 4
    deadline = time.monotonic() + SELF_TEST_TIMEOUT_S
    result: list[int] = []

    def check() -> None:
        if handler.handled:
            print("self-test: an unhandled error occurred (see the log)", file=sys.stderr)
            result.append(2)
        elif window.canvas.image is not None and window.document is not None:
            image = window.canvas.image
            print(f"self-test: ok, {window.current} {image.width}x{image.height}, "
                  f"{len(window.document)} instance(s)", flush=True)
            result.append(0)
        elif time.monotonic() > deadline:
            print(f"self-test: no image shown within {SELF_TEST_TIMEOUT_S} s", file=sys.stderr)
            result.append(1)
        if result:
            window.close()
            app.exit(result[0])
        else:
            QTimer.singleShot(50, check)

    QTimer.singleShot(0, check)
    app.exec()
    handler.uninstall()
    return result[0] if result else 1


if __name__ == "__main__":
    sys.exit(main())
