"""YOLACT (v1) written from the reference notes; loads the official checkpoints.

Modules: config (per-checkpoint settings), backbone (ResNet, DarkNet-53), model (FPN, ProtoNet,
PredictionHead, Yolact), anchors (priors, box decoding), postprocess (Fast NMS, mask assembly),
checkpoint (official key layout, loading), predictor (the `Predictor`). Only `config` is
torch-free; the others are imported when a model is built.
"""
