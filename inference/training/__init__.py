"""Training and evaluating small instance-segmentation models on the CPU.

data (samples, datasets, synthetic scenes), small_maskrcnn (a ~1.4 M-parameter torchvision
MaskRCNN), train (the loop, with should_stop/progress callbacks), evaluate (COCO mask AP with
pycocotools on results written by `inference.coco_results`). Submodules import torch; this
package file does not, so `import inference.training` stays cheap.
"""
