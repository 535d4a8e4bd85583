"""Diabetes regression with a Hugging-Face-like Trainer / TrainingArguments.

Seeded bug (loss_output_mismatch): the model returns predictions of shape (B, 1)
while the labels have shape (B,). nn.MSELoss silently broadcasts them into a (B, B)
matrix (only a UserWarning is printed), so every prediction is regressed toward
every label in the batch and the network learns little more than the batch mean.

Measured (20 epochs, 240 steps): eval_rmse 70.1, eval_r2 0.041. The fixed copy
(squeeze(-1) on the predictions) gets eval_rmse 58.1, eval_r2 0.342.
"""
# traindebug-expect: loss_output_mismatch
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import Dataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(123)


@dataclass
class TrainingArguments:
    output_dir: str = "./out"
    learning_rate: float = 3e-3
    weight_decay: float = 0.01
    num_train_epochs: int = 20
    per_device_train_batch_size: int = 32
    per_device_eval_batch_size: int = 128
    warmup_ratio: float = 0.1
    max_grad_norm: float = 1.0
    logging_steps: int = 40
    seed: int = 123


class DiabetesDataset(Dataset):
    def __init__(self, X, y):
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return {"inputs": self.X[i], "labels": self.y[i]}


class RegressionMLP(nn.Module):
    def __init__(self, d_in, hidden=64):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(),
                                 nn.Linear(hidden, 1))
        self.loss_fct = nn.MSELoss()

    def forward(self, inputs, labels=None):
        preds = self.net(inputs)
        loss = self.loss_fct(preds, labels) if labels is not None else None
        return {"loss": loss, "preds": preds}


class Trainer:
    def __init__(self, model, args, train_dataset, eval_dataset, compute_metrics=None):
        self.model, self.args = model, args
        self.train_dataset, self.eval_dataset = train_dataset, eval_dataset
        self.compute_metrics = compute_metrics
        self.global_step = 0

    def create_optimizer_and_scheduler(self, num_training_steps):
        decay = [p for n, p in self.model.named_parameters() if not n.endswith("bias")]
        no_decay = [p for n, p in self.model.named_parameters() if n.endswith("bias")]
        self.optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": self.args.weight_decay},
             {"params": no_decay, "weight_decay": 0.0}], lr=self.args.learning_rate)
        warmup = int(self.args.warmup_ratio * num_training_steps)

        def lr_lambda(step):
            if step < warmup:
                return (step + 1) / warmup
            prog = (step - warmup) / max(1, num_training_steps - warmup)
            return 0.5 * (1 + math.cos(math.pi * prog))

        self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lr_lambda)

    def train(self):
        dl = DataLoader(self.train_dataset, batch_size=self.args.per_device_train_batch_size,
                        shuffle=True, generator=torch.Generator().manual_seed(self.args.seed))
        total = len(dl) * self.args.num_train_epochs
        self.create_optimizer_and_scheduler(total)
        for epoch in range(self.args.num_train_epochs):
            self.model.train()
            for batch in dl:
                out = self.model(**batch)
                out["loss"].backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.args.max_grad_norm)
                self.optimizer.step()
                self.lr_scheduler.step()
                self.optimizer.zero_grad()
                self.global_step += 1
                if self.global_step % self.args.logging_steps == 0:
                    print({"step": self.global_step, "loss": round(out["loss"].item(), 4),
                           "lr": self.lr_scheduler.get_last_lr()[0]})
            print({"epoch": epoch + 1, **self.evaluate()})

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        dl = DataLoader(self.eval_dataset, batch_size=self.args.per_device_eval_batch_size)
        preds, labels = [], []
        for batch in dl:
            preds.append(self.model(batch["inputs"])["preds"])
            labels.append(batch["labels"])
        return self.compute_metrics(torch.cat(preds).squeeze(-1).numpy(), torch.cat(labels).numpy())


X, y = load_diabetes(return_X_y=True)
X_tr, X_ev, y_tr, y_ev = train_test_split(X, y, test_size=0.2, random_state=0)
xs = StandardScaler().fit(X_tr)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def compute_metrics(p, t):
    p, t = p * y_sd + y_mu, t * y_sd + y_mu
    ss_res = ((t - p) ** 2).sum()
    ss_tot = ((t - t.mean()) ** 2).sum()
    return {"eval_rmse": float(np.sqrt(((t - p) ** 2).mean())), "eval_r2": float(1 - ss_res / ss_tot)}


args = TrainingArguments()
trainer = Trainer(RegressionMLP(X.shape[1]), args,
                  DiabetesDataset(xs.transform(X_tr), (y_tr - y_mu) / y_sd),
                  DiabetesDataset(xs.transform(X_ev), (y_ev - y_mu) / y_sd),
                  compute_metrics=compute_metrics)
trainer.train()
