"""
Character-level LSTM language model (embedding 32, one LSTM layer of 96 units, linear head) on text
generated from a small sentence grammar ("the cat sees a red box today. ..."), 90/10 train/val split
of the character stream, random 32-character windows, batch 32. A small Trainer class with a
dataclass Config; Adam lr 3e-3, 200 steps, validation loss on 8 fixed batches every 40 steps.

Seeded bug: `Trainer.train_step` writes `self.opt.zero_grad` without the call parentheses. The
attribute lookup is a silent no-op, so .grad keeps accumulating the gradients of every previous
batch and each Adam step follows the running sum of all past gradients instead of the current one.
A missing pair of parentheses is an easy typo that raises no error or warning.

Measured (seed 0, 1 thread): buggy final val loss 0.566 (train 0.603) vs fixed copy
(`self.opt.zero_grad()`) val loss 0.314 (train 0.320); uniform baseline 3.18.
"""
# traindebug-expect: missing_zero_grad
import random
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
random.seed(0)

SUBJECTS = ["the cat", "a dog", "my aunt", "the robot", "our team", "a bird"]
VERBS = ["sees", "likes", "builds", "finds", "paints"]
OBJECTS = ["a red box", "the old tree", "two cups", "a small boat", "the moon"]
ADVERBS = ["today", "again", "slowly", "at night"]


def sentence():
    s = f"{random.choice(SUBJECTS)} {random.choice(VERBS)} {random.choice(OBJECTS)}"
    if random.random() < 0.5:
        s += " " + random.choice(ADVERBS)
    return s + ". "


text = "".join(sentence() for _ in range(4000))
chars = sorted(set(text))
stoi = {c: i for i, c in enumerate(chars)}
data = torch.tensor([stoi[c] for c in text])
split = int(0.9 * len(data))
train_data, val_data = data[:split], data[split:]


@dataclass
class Config:
    block: int = 32
    batch: int = 32
    emb: int = 32
    hidden: int = 96
    lr: float = 3e-3
    steps: int = 200
    eval_every: int = 40


class CharLSTM(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        self.emb = nn.Embedding(vocab, cfg.emb)
        self.lstm = nn.LSTM(cfg.emb, cfg.hidden, batch_first=True)
        self.head = nn.Linear(cfg.hidden, vocab)

    def forward(self, idx):
        out, _ = self.lstm(self.emb(idx))
        return self.head(out)


def get_batch(source, cfg):
    ix = torch.randint(0, len(source) - cfg.block - 1, (cfg.batch,))
    x = torch.stack([source[i:i + cfg.block] for i in ix])
    y = torch.stack([source[i + 1:i + cfg.block + 1] for i in ix])
    return x, y


class Trainer:
    def __init__(self, model, cfg):
        self.model = model
        self.cfg = cfg
        self.opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)

    def loss_on(self, x, y):
        logits = self.model(x)
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))

    def train_step(self, x, y):
        self.model.train()
        self.opt.zero_grad
        loss = self.loss_on(x, y)
        loss.backward()
        self.opt.step()
        return loss.item()

    @torch.no_grad()
    def evaluate(self, n_batches=8):
        self.model.eval()
        g = torch.Generator().manual_seed(123)
        losses = []
        for _ in range(n_batches):
            ix = torch.randint(0, len(val_data) - self.cfg.block - 1, (self.cfg.batch,), generator=g)
            x = torch.stack([val_data[i:i + self.cfg.block] for i in ix])
            y = torch.stack([val_data[i + 1:i + self.cfg.block + 1] for i in ix])
            losses.append(self.loss_on(x, y).item())
        return sum(losses) / len(losses)

    def fit(self):
        for step in range(1, self.cfg.steps + 1):
            x, y = get_batch(train_data, self.cfg)
            loss = self.train_step(x, y)
            if step % self.cfg.eval_every == 0:
                print(f"step {step:4d} train_loss {loss:.4f} val_loss {self.evaluate():.4f}")
        return self.evaluate()


if __name__ == "__main__":
    cfg = Config()
    model = CharLSTM(len(chars), cfg)
    trainer = Trainer(model, cfg)
    final = trainer.fit()
    print(f"final val loss {final:.4f} (uniform baseline {torch.log(torch.tensor(float(len(chars)))):.3f})")
