"""Seeded bug (underfitting): the sweep config JSON sets "hidden_size": 96, but the code reads cfg["hidden_dim"], so the unknown key is silently ignored and the smoke-test default
hidden_dim=8 is used: an 8-unit LSTM cannot model the generated corpus within the budget
although the optimiser and gradients are healthy.
Measured (220 Adam steps): buggy train loss 1.67 / val loss 1.63 nats/char (2.35 bits/char);
fixed copy (key "hidden_dim": 96): train 0.26 / val 0.20 nats/char (0.29 bits/char).
"""
# traindebug-expect: underfitting
import json
import random

import torch
import torch.nn as nn
import torch.nn.functional as F

# experiment config as it would come from a sweep file
CONFIG_JSON = """
{
  "seq_len": 48,
  "batch_size": 32,
  "embed_dim": 24,
  "hidden_size": 96,
  "num_layers": 1,
  "lr": 0.004,
  "clip": 1.0,
  "steps": 220,
  "seed": 1234
}
"""

DEFAULTS = {
    "seq_len": 32,
    "batch_size": 16,
    "embed_dim": 16,
    "hidden_dim": 8,
    "num_layers": 1,
    "lr": 1e-3,
    "clip": 5.0,
    "steps": 100,
    "seed": 0,
    "log_every": 40,
}


def load_config(text):
    cfg = dict(DEFAULTS)
    cfg.update(json.loads(text))
    return cfg


def generate_corpus(n_sentences, rng):
    subjects = ["the cat", "a dog", "my neighbour", "the old sailor", "our teacher", "a small bird"]
    verbs = ["sees", "likes", "follows", "paints", "remembers", "avoids"]
    objects = ["the river", "a red kite", "the garden", "seven apples", "the quiet harbour", "a blue door"]
    times = ["today", "every morning", "at night", "in june", "after lunch"]
    lines = []
    for _ in range(n_sentences):
        s = f"{rng.choice(subjects)} {rng.choice(verbs)} {rng.choice(objects)}"
        if rng.random() < 0.5:
            s += " " + rng.choice(times)
        lines.append(s + ".")
    return "\n".join(lines) + "\n"


class CharLSTM(nn.Module):
    def __init__(self, vocab, cfg):
        super().__init__()
        self.embed = nn.Embedding(vocab, cfg["embed_dim"])
        self.lstm = nn.LSTM(cfg["embed_dim"], cfg["hidden_dim"], num_layers=cfg["num_layers"], batch_first=True)
        self.head = nn.Linear(cfg["hidden_dim"], vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


def batches(data, cfg, gen):
    L, B = cfg["seq_len"], cfg["batch_size"]
    while True:
        starts = torch.randint(0, len(data) - L - 1, (B,), generator=gen)
        x = torch.stack([data[s:s + L] for s in starts])
        y = torch.stack([data[s + 1:s + L + 1] for s in starts])
        yield x, y


def main():
    cfg = load_config(CONFIG_JSON)
    torch.manual_seed(cfg["seed"])
    torch.set_num_threads(1)
    rng = random.Random(cfg["seed"])
    text = generate_corpus(1500, rng)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text])
    split = int(0.9 * len(data))
    train, val = data[:split], data[split:]

    model = CharLSTM(len(chars), cfg)
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"])
    gen = torch.Generator().manual_seed(cfg["seed"])
    stream = batches(train, cfg, gen)

    for step in range(1, cfg["steps"] + 1):
        x, y = next(stream)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), cfg["clip"])
        opt.step()
        if step % cfg["log_every"] == 0 or step == cfg["steps"]:
            model.eval()
            with torch.no_grad():
                vx, vy = val[:-1].unsqueeze(0), val[1:].unsqueeze(0)
                vlogits, _ = model(vx)
                vloss = F.cross_entropy(vlogits.squeeze(0), vy.squeeze(0)).item()
            model.train()
            print(f"step {step:4d}  train {loss.item():.3f}  val {vloss:.3f}  (bits/char {vloss / 0.6931:.2f})")


if __name__ == "__main__":
    main()
