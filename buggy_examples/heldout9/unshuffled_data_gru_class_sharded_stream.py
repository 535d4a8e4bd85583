"""GRU sequence classifier for simulated 3-axis accelerometer windows (5 activities),
fed by an IterableDataset that streams recording-session shards; RMSprop.

Seeded bug (unshuffled_data): every shard holds a single activity and the stream
iterates shards (and rows) in their stored order, with no shard or buffer shuffling, so
each epoch sees 64 consecutive batches of class 0, then class 1, ..., then class 4.
Every batch contains only one label; the model keeps re-fitting the most recent class
and ends each epoch biased toward the last one.

Measured (300 steps): buggy val acc 0.200-0.218, at the end 451 of 500 validation
windows predicted as the last class ("cycle"). Fixed (shuffled DataLoader over the same
windows): val acc 0.932 with balanced predictions."""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import IterableDataset, DataLoader

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

ACTIVITIES = ["walk", "run", "stairs", "sit", "cycle"]
SEQ_LEN = 40
CHANNELS = 3


def record_activity(label, n, rng):
    """Simulated 3-axis accelerometer windows for one activity."""
    t = np.arange(SEQ_LEN) / 20.0
    base_f = [1.8, 2.8, 1.4, 0.0, 1.1][label]
    amp = [1.0, 2.2, 1.3, 0.05, 0.8][label]
    out = np.empty((n, SEQ_LEN, CHANNELS), dtype=np.float32)
    for i in range(n):
        f = base_f * rng.uniform(0.85, 1.15)
        ph = rng.uniform(0, 2 * np.pi, size=CHANNELS)
        mix = rng.normal(size=CHANNELS)
        sig = amp * np.sin(2 * np.pi * f * t[:, None] + ph) * (1 + 0.3 * mix)
        if label == 2:
            sig[:, 2] += 0.6 * np.sign(np.sin(2 * np.pi * 0.5 * f * t))
        if label == 4:
            sig[:, 1] += 0.7 * np.cos(4 * np.pi * f * t)
        out[i] = sig + rng.normal(0, 0.45, size=sig.shape)
    return out


def write_shards(n_per_class, seed):
    """One shard per recording session; each session records a single activity."""
    rng = np.random.default_rng(seed)
    shards = []
    for label in range(len(ACTIVITIES)):
        for _ in range(2):
            x = record_activity(label, n_per_class // 2, rng)
            shards.append({"x": x, "y": np.full(len(x), label, dtype=np.int64)})
    return shards


class ShardStream(IterableDataset):
    def __init__(self, shards):
        super().__init__()
        self.shards = shards

    def __iter__(self):
        for shard in self.shards:
            for x, y in zip(shard["x"], shard["y"]):
                yield torch.from_numpy(x), int(y)


class GRUClassifier(nn.Module):
    def __init__(self, n_in, hidden, n_classes):
        super().__init__()
        self.proj = nn.Linear(n_in, hidden)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)
        self.head = nn.Linear(2 * hidden, n_classes)

    def forward(self, x):
        out, h = self.gru(torch.tanh(self.proj(x)))
        feats = torch.cat([h[-1], out.mean(1)], dim=-1)
        return self.head(feats)


def main():
    train_shards = write_shards(n_per_class=320, seed=1)
    val_shards = write_shards(n_per_class=100, seed=2)
    train_loader = DataLoader(ShardStream(train_shards), batch_size=32)
    val_loader = DataLoader(ShardStream(val_shards), batch_size=250)

    model = GRUClassifier(CHANNELS, 48, len(ACTIVITIES))
    opt = torch.optim.RMSprop(model.parameters(), lr=2e-3, alpha=0.9)
    steps = 0
    for epoch in range(6):
        model.train()
        losses = []
        for xb, yb in train_loader:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            steps += 1
        model.eval()
        correct = total = 0
        preds = []
        with torch.no_grad():
            for xb, yb in val_loader:
                p = model(xb).argmax(1)
                preds.append(p)
                correct += (p == yb).sum().item()
                total += len(yb)
        counts = torch.bincount(torch.cat(preds), minlength=len(ACTIVITIES)).tolist()
        print(f"epoch {epoch} steps {steps} train_loss {np.mean(losses):.4f} "
              f"val_acc {correct / total:.3f} pred_counts {counts}")


if __name__ == "__main__":
    main()
