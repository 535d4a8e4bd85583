"""
Deep ensemble classifier on the 8x8 digits (sklearn load_digits, standardised per pixel):
16 MLPs 64 -> 128 -> 128 -> 10 (ReLU) trained in parallel with torch.func
(stack_module_state + vmap over functional_call); every member draws its own shuffled
minibatch stream. Loss = cross-entropy averaged over members and samples, Adam, batch 64,
12 epochs (252 steps). Reported: ensemble (averaged softmax) test accuracy and mean member
test accuracy.

Seeded bug: because the loss is averaged over the 16 members, the author "compensates" by
multiplying the learning rate by the ensemble size (`lr = BASE_LR * N_MEMBERS`, 5e-3 * 16 =
0.08). Adam's update is invariant to the scale of the loss, so averaging never shrank the
steps; the compensation just makes every member's step 16x larger than the tuned 5e-3. The
training loss stalls and spikes around 0.6-0.9 instead of converging, and each member ends up
a much worse classifier (averaging hides part of it in the ensemble accuracy).

Measured (seed 0, 1 thread): buggy last-epoch train loss 0.861 (0.619 at epoch 3), final
train loss 0.769, member test accuracy 0.735, ensemble test accuracy 0.951. Fixed copy
(lr = BASE_LR): last-epoch train loss 0.0007, final train loss 0.0006, member test accuracy
0.978, ensemble test accuracy 0.982. Runtime ~7 s CPU time.
"""
# traindebug-expect: lr_too_high
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.func import functional_call, stack_module_state

torch.set_num_threads(1)
torch.manual_seed(0)
np.random.seed(0)

N_MEMBERS = 16
BASE_LR = 5e-3
BATCH = 64
EPOCHS = 12


def make_member():
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(),
                         nn.Linear(128, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def main():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
    X_tr = torch.tensor((X_tr - mu) / sd, dtype=torch.float32)
    X_te = torch.tensor((X_te - mu) / sd, dtype=torch.float32)
    y_tr, y_te = torch.tensor(y_tr), torch.tensor(y_te)

    members = [make_member() for _ in range(N_MEMBERS)]
    params, buffers = stack_module_state(members)
    base = copy.deepcopy(members[0]).to("meta")

    def forward_one(p, b, x):
        return functional_call(base, (p, b), (x,))

    ens_forward = torch.vmap(forward_one)                          # members x batch x 10
    ens_forward_shared = torch.vmap(forward_one, in_dims=(0, 0, None))

    lr = BASE_LR * N_MEMBERS
    opt = torch.optim.Adam(params.values(), lr=lr)

    n = len(X_tr)
    steps_per_epoch = n // BATCH
    step = 0
    for epoch in range(EPOCHS):
        perms = torch.stack([torch.randperm(n) for _ in range(N_MEMBERS)])
        epoch_loss = 0.0
        for i in range(steps_per_epoch):
            idx = perms[:, i * BATCH:(i + 1) * BATCH]
            logits = ens_forward(params, buffers, X_tr[idx])
            loss = F.cross_entropy(logits.reshape(-1, 10), y_tr[idx].reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            epoch_loss += loss.item()
        if epoch % 3 == 0 or epoch == EPOCHS - 1:
            with torch.no_grad():
                te_logits = ens_forward_shared(params, buffers, X_te)
                ens_acc = (te_logits.softmax(-1).mean(0).argmax(1) == y_te).float().mean().item()
            print(f"epoch {epoch:2d} step {step} train_loss {epoch_loss / steps_per_epoch:.4f} "
                  f"ensemble_test_acc {ens_acc:.3f}")

    with torch.no_grad():
        tr_logits = ens_forward_shared(params, buffers, X_tr)
        train_loss = F.cross_entropy(tr_logits.reshape(-1, 10), y_tr.repeat(N_MEMBERS)).item()
        te_logits = ens_forward_shared(params, buffers, X_te)
        ens_acc = (te_logits.softmax(-1).mean(0).argmax(1) == y_te).float().mean().item()
        member_acc = (te_logits.argmax(-1) == y_te).float().mean().item()
    print(f"final train_loss {train_loss:.4f} member_test_acc {member_acc:.3f} "
          f"ensemble_test_acc {ens_acc:.3f}")


if __name__ == "__main__":
    main()
