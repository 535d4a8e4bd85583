"""HF-style Trainer on sklearn digits.

Seeded bug: `train_val_split` permutes features and labels with two separate
calls to `rng.permutation`, so each call draws a different permutation and
the labels no longer belong to their images (train and validation).

Measured (184 AdamW steps): logged train loss 2.30 -> 2.24 (ln 10 = 2.303),
eval loss 2.39, eval accuracy 0.103.
Fixed (one shared permutation): train loss 1.56 -> 0.064, eval loss 0.071,
eval accuracy 0.975.
"""
# traindebug-expect: label_problem
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

torch.set_num_threads(1)


@dataclass
class TrainingArguments:
    output_dir: str = "runs/digits"
    learning_rate: float = 2e-3
    per_device_train_batch_size: int = 64
    per_device_eval_batch_size: int = 256
    num_train_epochs: int = 8
    weight_decay: float = 0.01
    logging_steps: int = 40
    seed: int = 42
    label_names: list = field(default_factory=lambda: ["labels"])


class DigitsDataset(Dataset):
    def __init__(self, features, labels):
        self.features = torch.as_tensor(features, dtype=torch.float32)
        self.labels = torch.as_tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"pixel_values": self.features[i], "labels": self.labels[i]}


class MLPForImageClassification(nn.Module):
    def __init__(self, in_dim=64, hidden=128, num_labels=10):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
        )
        self.classifier = nn.Linear(hidden, num_labels)

    def forward(self, pixel_values, labels=None):
        logits = self.classifier(self.encoder(pixel_values))
        return {"logits": logits}


class Trainer:
    def __init__(self, model, args, train_dataset, eval_dataset=None):
        self.model = model
        self.args = args
        self.train_dataset = train_dataset
        self.eval_dataset = eval_dataset
        self.state = {"global_step": 0, "log_history": []}

    def create_optimizer(self):
        decay, no_decay = [], []
        for n, p in self.model.named_parameters():
            (no_decay if n.endswith("bias") else decay).append(p)
        return torch.optim.AdamW(
            [{"params": decay, "weight_decay": self.args.weight_decay},
             {"params": no_decay, "weight_decay": 0.0}],
            lr=self.args.learning_rate)

    def compute_loss(self, model, inputs, return_outputs=False):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = nn.functional.cross_entropy(outputs["logits"], labels)
        return (loss, outputs) if return_outputs else loss

    def get_train_dataloader(self):
        g = torch.Generator().manual_seed(self.args.seed)
        sampler = BatchSampler(RandomSampler(self.train_dataset, generator=g),
                               self.args.per_device_train_batch_size, drop_last=False)
        return DataLoader(self.train_dataset, sampler=sampler, batch_size=None)

    def train(self):
        self.optimizer = self.create_optimizer()
        loader = self.get_train_dataloader()
        self.model.train()
        running = 0.0
        for epoch in range(self.args.num_train_epochs):
            for inputs in loader:
                loss = self.compute_loss(self.model, inputs)
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.state["global_step"] += 1
                running += loss.item()
                if self.state["global_step"] % self.args.logging_steps == 0:
                    avg = running / self.args.logging_steps
                    self.state["log_history"].append({"step": self.state["global_step"], "loss": avg})
                    print(f"step {self.state['global_step']:4d}  loss {avg:.4f}")
                    running = 0.0
        return self.state

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        sampler = BatchSampler(SequentialSampler(self.eval_dataset),
                               self.args.per_device_eval_batch_size, drop_last=False)
        loader = DataLoader(self.eval_dataset, sampler=sampler, batch_size=None)
        correct, total, loss_sum = 0, 0, 0.0
        for inputs in loader:
            loss, out = self.compute_loss(self.model, dict(inputs), return_outputs=True)
            loss_sum += loss.item() * len(inputs["labels"])
            correct += (out["logits"].argmax(-1) == inputs["labels"]).sum().item()
            total += len(inputs["labels"])
        self.model.train()
        return {"eval_loss": loss_sum / total, "eval_accuracy": correct / total}


def train_val_split(X, y, val_fraction, seed):
    rng = np.random.default_rng(seed)
    X = X[rng.permutation(len(X))]
    y = y[rng.permutation(len(y))]
    n_val = int(len(X) * val_fraction)
    return X[n_val:], y[n_val:], X[:n_val], y[:n_val]


def main():
    args = TrainingArguments()
    torch.manual_seed(args.seed)
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_tr, y_tr, X_va, y_va = train_val_split(X, y, 0.2, args.seed)
    mean = X_tr.mean(0, keepdims=True)
    X_tr, X_va = X_tr - mean, X_va - mean

    model = MLPForImageClassification()
    trainer = Trainer(model, args, DigitsDataset(X_tr, y_tr), DigitsDataset(X_va, y_va))
    trainer.train()
    metrics = trainer.evaluate()
    print({k: round(v, 4) for k, v in metrics.items()})


if __name__ == "__main__":
    main()
