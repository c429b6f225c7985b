"""Entry point: `maskpilot [FOLDER]`, `python -m app [FOLDER]`, `python -m app --sample`."""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="maskpilot", description="Segmentation labeling with model suggestions.")
    p.add_argument("folder", nargs="?", help="image folder to open")
    p.add_argument("--sample", action="store_true", help="open the generated sample folder")
    p.add_argument("--debug", action="store_true", help="verbose logging")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication

    from app.main_window import MainWindow

    QImageReader.setAllocationLimit(0)  # we decode with OpenCV; Qt must not refuse big images either
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MaskPilot")
    app.setOrganizationName("MaskPilot")
    window = MainWindow()
    window.show()
    folder = args.folder
    if args.sample or (folder is None and not window.recent_folders()):
        from app.sample import ensure_sample_folder

        folder = str(ensure_sample_folder())
    elif folder is None:
        folder = window.recent_folders()[0]
    window.open_folder(folder)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
