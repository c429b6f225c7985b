"""Qt-free training glue: the project's done images as samples (dataset), the job spec and
its messages (messages), the job itself (job, run in the training process) and the child
process that runs it (runner). maskpilot-train and the training dialog use it:

    plan = plan_for(folder)                       # TrainingError at once when nothing to train
    run = start_training(TrainingJob(folder, name="shapes", minutes=5))
    for message in run.poll(): ...                # from a QTimer; `for m in run` blocks (CLI)
    run.cancel()                                  # keeps the best weights: Finished(cancelled)
"""
