"""Training and evaluating instance-segmentation models: the small CPU model and the project
models of Custom Auto-Label.

samples (numpy-only samples, SampleUnavailable; no torch), data (the detection dataset,
synthetic scenes), augment (torchvision.transforms.v2 flips and scale jitter), small_maskrcnn
(a ~1.4 M-parameter torchvision MaskRCNN), models (base models: Mask R-CNN v1/v2 from COCO or
ImageNet weights with new predictors, or the small one; rebuilding a trained one), train (the
loop: steps/seconds/epochs budget, resume, AMP on CUDA), checkpoint (state dicts and resumable
states as bytes, read back with weights_only=True), fit (one job: build or resume, train,
validate, keep the best), evaluate (COCO mask AP with pycocotools, per-class precision/recall),
project_model (a trained model as a Predictor reporting project category ids). Submodules
import torch; this package file does not, so `import inference.training` stays cheap.
"""
