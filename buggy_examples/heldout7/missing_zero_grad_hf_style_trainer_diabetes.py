"""Hugging-Face-style Trainer / TrainingArguments on the diabetes regression data.

Seeded bug: Trainer.train() handles gradient accumulation (step/scheduler every
gradient_accumulation_steps batches) but never calls optimizer.zero_grad() / model.zero_grad(),
so .grad keeps the sum of all previous batches' gradients and every AdamW step follows the
accumulated history rather than the current batch.
Measured effect (360 optimizer steps): final eval MSE 0.861 on standardised targets (R^2 ~ -0.09,
worse than predicting the mean). With optimizer.zero_grad() after each step: eval MSE 0.530
(R^2 ~ 0.33).
"""
# traindebug-expect: missing_zero_grad
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split


@dataclass
class TrainingArguments:
    output_dir: str = "runs/diabetes-mlp"
    num_train_epochs: int = 30
    per_device_train_batch_size: int = 32
    per_device_eval_batch_size: int = 128
    learning_rate: float = 3e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.05
    gradient_accumulation_steps: int = 1
    max_grad_norm: float = 0.0
    logging_steps: int = 40
    seed: int = 13
    label_names: list = field(default_factory=lambda: ["labels"])


class TabularDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return {"inputs": self.X[i], "labels": self.y[i]}


class RegressionHead(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.GELU(),
                                 nn.Linear(hidden, hidden), nn.GELU(),
                                 nn.Linear(hidden, 1))

    def forward(self, inputs, labels=None):
        pred = self.net(inputs).squeeze(-1)
        out = {"predictions": pred}
        if labels is not None:
            out["loss"] = nn.functional.mse_loss(pred, labels)
        return out


class Trainer:
    def __init__(self, model, args, train_dataset, eval_dataset=None):
        self.model = model
        self.args = args
        self.train_dataset = train_dataset
        self.eval_dataset = eval_dataset
        self.state = {"global_step": 0, "log_history": []}

    def get_train_dataloader(self):
        g = torch.Generator().manual_seed(self.args.seed)
        return DataLoader(self.train_dataset, batch_size=self.args.per_device_train_batch_size,
                          shuffle=True, generator=g)

    def create_optimizer_and_scheduler(self, num_training_steps):
        decay, no_decay = [], []
        for n, p in self.model.named_parameters():
            (no_decay if n.endswith("bias") else decay).append(p)
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": self.args.weight_decay},
             {"params": no_decay, "weight_decay": 0.0}], lr=self.args.learning_rate)
        warmup = int(self.args.warmup_ratio * num_training_steps)

        def lr_lambda(step):
            if step < warmup:
                return (step + 1) / max(1, warmup)
            progress = (step - warmup) / max(1, num_training_steps - warmup)
            return max(0.0, 0.5 * (1 + math.cos(math.pi * progress)))

        self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lr_lambda)

    def training_step(self, model, inputs):
        model.train()
        loss = model(**inputs)["loss"]
        loss = loss / self.args.gradient_accumulation_steps
        loss.backward()
        return loss.detach()

    def evaluate(self):
        self.model.eval()
        dl = DataLoader(self.eval_dataset, batch_size=self.args.per_device_eval_batch_size)
        se, n = 0.0, 0
        with torch.no_grad():
            for batch in dl:
                out = self.model(**batch)
                se += ((out["predictions"] - batch["labels"]) ** 2).sum().item()
                n += len(batch["labels"])
        return {"eval_mse": se / n}

    def train(self):
        torch.manual_seed(self.args.seed)
        dl = self.get_train_dataloader()
        steps_per_epoch = math.ceil(len(dl) / self.args.gradient_accumulation_steps)
        total = steps_per_epoch * self.args.num_train_epochs
        self.create_optimizer_and_scheduler(total)
        tr_loss = 0.0
        for epoch in range(self.args.num_train_epochs):
            for step, batch in enumerate(dl):
                tr_loss += self.training_step(self.model, batch).item()
                if (step + 1) % self.args.gradient_accumulation_steps == 0 or step + 1 == len(dl):
                    if self.args.max_grad_norm > 0:
                        nn.utils.clip_grad_norm_(self.model.parameters(), self.args.max_grad_norm)
                    self.optimizer.step()
                    self.lr_scheduler.step()
                    self.state["global_step"] += 1
                    if self.state["global_step"] % self.args.logging_steps == 0:
                        logs = {"step": self.state["global_step"],
                                "loss": tr_loss / self.args.logging_steps,
                                "lr": self.lr_scheduler.get_last_lr()[0], **self.evaluate()}
                        self.state["log_history"].append(logs)
                        print({k: round(v, 5) if isinstance(v, float) else v for k, v in logs.items()})
                        tr_loss = 0.0
        return self.state


if __name__ == "__main__":
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=13)
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_te = (X_tr - mu) / sd, (X_te - mu) / sd
    y_mu, y_sd = y_tr.mean(), y_tr.std()
    y_tr, y_te = (y_tr - y_mu) / y_sd, (y_te - y_mu) / y_sd

    args = TrainingArguments()
    torch.manual_seed(args.seed)
    trainer = Trainer(RegressionHead(X.shape[1]), args,
                      TabularDataset(X_tr, y_tr), TabularDataset(X_te, y_te))
    trainer.train()
    final = trainer.evaluate()
    print(f"final eval_mse (standardised) {final['eval_mse']:.4f}  "
          f"R^2 ~ {1 - final['eval_mse'] / np.var(y_te):.3f}")
