"""YOLACT and YOLACT++ written from the reference notes; load the official checkpoints.

Modules: config (per-checkpoint settings), backbone (ResNet with optional deformable blocks,
DarkNet-53), model (FPN, ProtoNet, PredictionHead, FastMaskIoUNet, Yolact), anchors (priors,
box decoding), postprocess (Fast NMS, mask assembly, re-scoring), checkpoint (official key
layout, loading), predictor (the `Predictor`). Only `config` is torch-free; the others are
imported when a model is built.
"""
