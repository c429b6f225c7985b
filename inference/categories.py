"""Category tables of the bundled models (COCO 'things' with their official ids 1..90)."""

from __future__ import annotations

#: The 80 COCO object categories as (id, name); ids have gaps (12, 26, 29, 30, 45, 66, 68, 69,
#: 71, 83 are unused), matching instances_*.json and torchvision's label indices.
COCO_CATEGORIES: tuple[tuple[int, str], ...] = (
    (1, "person"), (2, "bicycle"), (3, "car"), (4, "motorcycle"), (5, "airplane"), (6, "bus"),
    (7, "train"), (8, "truck"), (9, "boat"), (10, "traffic light"), (11, "fire hydrant"),
    (13, "stop sign"), (14, "parking meter"), (15, "bench"), (16, "bird"), (17, "cat"),
    (18, "dog"), (19, "horse"), (20, "sheep"), (21, "cow"), (22, "elephant"), (23, "bear"),
    (24, "zebra"), (25, "giraffe"), (27, "backpack"), (28, "umbrella"), (31, "handbag"),
    (32, "tie"), (33, "suitcase"), (34, "frisbee"), (35, "skis"), (36, "snowboard"),
    (37, "sports ball"), (38, "kite"), (39, "baseball bat"), (40, "baseball glove"),
    (41, "skateboard"), (42, "surfboard"), (43, "tennis racket"), (44, "bottle"),
    (46, "wine glass"), (47, "cup"), (48, "fork"), (49, "knife"), (50, "spoon"), (51, "bowl"),
    (52, "banana"), (53, "apple"), (54, "sandwich"), (55, "orange"), (56, "broccoli"),
    (57, "carrot"), (58, "hot dog"), (59, "pizza"), (60, "donut"), (61, "cake"), (62, "chair"),
    (63, "couch"), (64, "potted plant"), (65, "bed"), (67, "dining table"), (70, "toilet"),
    (72, "tv"), (73, "laptop"), (74, "mouse"), (75, "remote"), (76, "keyboard"),
    (77, "cell phone"), (78, "microwave"), (79, "oven"), (80, "toaster"), (81, "sink"),
    (82, "refrigerator"), (84, "book"), (85, "clock"), (86, "vase"), (87, "scissors"),
    (88, "teddy bear"), (89, "hair drier"), (90, "toothbrush"),
)  # fmt: skip

#: YOLACT predicts a contiguous class index 0..79; entry c is that class's COCO category id
#: (the inverse of the reference implementation's COCO_LABEL_MAP).
COCO_CONTIGUOUS_TO_ID: tuple[int, ...] = tuple(cid for cid, _ in COCO_CATEGORIES)

#: The 21 PASCAL VOC classes of torchvision's segmentation models, as (id, name): the id is the
#: model's output channel, 0 is background. Names follow VOC's own spelling.
VOC_CATEGORIES: tuple[tuple[int, str], ...] = (
    (0, "background"), (1, "aeroplane"), (2, "bicycle"), (3, "bird"), (4, "boat"), (5, "bottle"),
    (6, "bus"), (7, "car"), (8, "cat"), (9, "chair"), (10, "cow"), (11, "diningtable"), (12, "dog"),
    (13, "horse"), (14, "motorbike"), (15, "person"), (16, "pottedplant"), (17, "sheep"),
    (18, "sofa"), (19, "train"), (20, "tvmonitor"),
)  # fmt: skip

#: VOC class id -> the COCO category id of the same class (every VOC class is a COCO thing;
#: VOC spells some differently: aeroplane/airplane, motorbike/motorcycle, sofa/couch,
#: tvmonitor/tv, diningtable/dining table, pottedplant/potted plant). Background is absent.
VOC_TO_COCO: dict[int, int] = {
    1: 5, 2: 2, 3: 16, 4: 9, 5: 44, 6: 6, 7: 3, 8: 17, 9: 62, 10: 21,
    11: 67, 12: 18, 13: 19, 14: 4, 15: 1, 16: 64, 17: 20, 18: 63, 19: 7, 20: 72,
}  # fmt: skip
