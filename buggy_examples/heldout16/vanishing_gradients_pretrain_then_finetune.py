"""Two-stage training on a 5-class make_classification problem: a 7-layer MLP encoder is
pretrained as a denoising autoencoder on all training inputs, then the encoder plus a new
linear head are fine-tuned on a small labelled subset.

Seeded bug (vanishing_gradients): the encoder stack uses sigmoid activations between
all 7 linear layers. Gradients shrink by ~3x per layer, so the first layers get
almost nothing: at step 0 the weight-gradient norms go from 1.5e-2 (last encoder layer)
to 2.3e-5 (first layer), a ratio of ~700.

Measured: pretraining recon MSE stuck at 1.00 (6 epochs), fine-tune loss stays ~1.62
and test acc 0.200 (chance) after 260 SGD steps in total. Fixed copy (ReLU): per-layer
grad norms 4.4e-2 .. 1.1e-1, recon MSE 1.00 -> 0.65, fine-tune loss 0.90, test acc 0.55.
"""
# traindebug-expect: vanishing_gradients
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)
torch.set_num_threads(1)

X, y = make_classification(n_samples=3000, n_features=40, n_informative=20, n_redundant=10,
                           n_classes=5, n_clusters_per_class=2, class_sep=1.2, random_state=0)
X = StandardScaler().fit_transform(X).astype(np.float32)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
Xtr, Xte = torch.tensor(Xtr), torch.tensor(Xte)
ytr, yte = torch.tensor(ytr), torch.tensor(yte)
# only a small labelled subset; the rest is used for unsupervised pretraining
Xlab, ylab = Xtr[:600], ytr[:600]


def mlp_stack(dims):
    layers = []
    for a, b in zip(dims[:-1], dims[1:]):
        lin = nn.Linear(a, b)
        nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.Sigmoid()]
    return nn.Sequential(*layers)


encoder = mlp_stack([40, 64, 64, 64, 64, 64, 64, 32])
decoder = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 40))

# ---- stage 1: denoising autoencoder pretraining on all training inputs
opt = torch.optim.SGD(list(encoder.parameters()) + list(decoder.parameters()), lr=0.1, momentum=0.9)
BATCH = 128
for epoch in range(6):
    perm = torch.randperm(len(Xtr))
    tot, nb = 0.0, 0
    for i in range(0, len(Xtr), BATCH):
        xb = Xtr[perm[i:i + BATCH]]
        recon = decoder(encoder(xb + 0.1 * torch.randn_like(xb)))
        loss = F.mse_loss(recon, xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item(); nb += 1
    print(f"pretrain epoch {epoch} recon mse {tot / nb:.3f}")

# ---- stage 2: fine-tune encoder + new head on the labelled subset
head = nn.Linear(32, 5)
model = nn.Sequential(encoder, head)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
BATCH = 32
for epoch in range(8):
    model.train()
    perm = torch.randperm(len(Xlab))
    tot, nb = 0.0, 0
    for i in range(0, len(Xlab), BATCH):
        idx = perm[i:i + BATCH]
        loss = F.cross_entropy(model(Xlab[idx]), ylab[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item(); nb += 1
    model.eval()
    with torch.no_grad():
        acc = (model(Xte).argmax(1) == yte).float().mean().item()
    print(f"finetune epoch {epoch} train loss {tot / nb:.3f} test acc {acc:.3f}")
