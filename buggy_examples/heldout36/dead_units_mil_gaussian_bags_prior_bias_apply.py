"""
Attention-based multiple-instance learning (Ilse et al. style) on generated bags of
20-d Gaussian instances: a bag is positive (25 % of bags) iff it contains 1-2 'witness'
instances near a hidden prototype. Instance encoder Linear-ReLU-Linear-ReLU (64 units),
tanh attention pooling over the instances of each bag, linear bag classifier, BCE with
logits, Adam lr 1e-3, 8 bags per step, 4 epochs (300 steps).

Seeded bug: to start the scorer at the class prior, init_weights sets every bias to
-log((1-p)/p) = -1.1 and is applied with model.apply(), so it also hits the hidden ReLU
layers of the instance encoder. With default-scale weights the hidden pre-activations have
std ~0.6, so essentially no hidden unit ever fires, the encoder outputs constant zeros and
the ReLUs pass no gradient: the model can only learn the base rate. A realistic slip: the
prior-bias trick is meant for the output layer only, but init helpers applied via
model.apply() touch every nn.Linear.

Measured (seed 0, 1 thread): buggy: test BCE 0.562 / acc 0.750 (= always 'negative') at every
epoch, train BCE stuck at 0.580. Fixed copy (zero hidden biases): test BCE 0.059, test acc 0.977.
"""
# traindebug-expect: dead_units
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

D_IN, BAG_MIN, BAG_MAX = 20, 8, 16
N_TRAIN, N_TEST = 600, 300
POS_RATE = 0.25


def make_bags(n, rng):
    """Bags of Gaussian instances; a bag is positive iff it holds at least one 'witness'
    instance drawn around a hidden prototype."""
    proto = np.zeros(D_IN, dtype=np.float32)
    proto[:4] = 2.0
    bags, labels = [], []
    for _ in range(n):
        k = rng.integers(BAG_MIN, BAG_MAX + 1)
        inst = rng.normal(size=(k, D_IN)).astype(np.float32)
        y = float(rng.random() < POS_RATE)
        if y:
            n_wit = rng.integers(1, 3)
            idx = rng.choice(k, n_wit, replace=False)
            inst[idx] = proto + 0.7 * rng.normal(size=(n_wit, D_IN))
        bags.append(torch.from_numpy(inst))
        labels.append(y)
    return bags, torch.tensor(labels)


class AttentionMIL(nn.Module):
    def __init__(self, d_in, d_hid=64, d_att=32):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(d_in, d_hid), nn.ReLU(),
            nn.Linear(d_hid, d_hid), nn.ReLU(),
        )
        self.attention = nn.Sequential(nn.Linear(d_hid, d_att), nn.Tanh(), nn.Linear(d_att, 1))
        self.classifier = nn.Linear(d_hid, 1)

    def forward(self, bag):
        h = self.encoder(bag)                     # (k, d_hid)
        a = torch.softmax(self.attention(h).squeeze(-1), dim=0)
        z = (a.unsqueeze(-1) * h).sum(0)
        return self.classifier(z).squeeze(-1), a


def init_weights(m):
    # positives are rare: start the scorer at the class prior so the first updates are
    # not spent learning the base rate
    if isinstance(m, nn.Linear):
        nn.init.kaiming_uniform_(m.weight, a=math.sqrt(5))
        nn.init.constant_(m.bias, -math.log((1 - POS_RATE) / POS_RATE))


def evaluate(model, bags, labels):
    model.eval()
    with torch.no_grad():
        logits = torch.stack([model(b)[0] for b in bags])
        loss = F.binary_cross_entropy_with_logits(logits, labels).item()
        acc = ((logits > 0).float() == labels).float().mean().item()
    model.train()
    return loss, acc


def main():
    t0 = time.process_time()
    rng = np.random.default_rng(0)
    train_bags, train_y = make_bags(N_TRAIN, rng)
    test_bags, test_y = make_bags(N_TEST, rng)

    model = AttentionMIL(D_IN)
    model.apply(init_weights)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    bags_per_step = 8
    step = 0
    for epoch in range(4):
        order = np.random.permutation(N_TRAIN)
        running = 0.0
        for s in range(0, N_TRAIN, bags_per_step):
            idx = order[s:s + bags_per_step]
            logits = torch.stack([model(train_bags[i])[0] for i in idx])
            loss = F.binary_cross_entropy_with_logits(logits, train_y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            running += loss.item() * len(idx)
            step += 1
        te_loss, te_acc = evaluate(model, test_bags, test_y)
        print(f"epoch {epoch}  step {step}  train bce {running / N_TRAIN:.4f}  "
              f"test bce {te_loss:.4f}  test acc {te_acc:.3f}")
    print(f"final test acc {te_acc:.3f}  (cpu {time.process_time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
