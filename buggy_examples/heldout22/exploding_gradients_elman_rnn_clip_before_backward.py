"""Hand-written Elman RNN (IRNN style: ReLU + identity recurrent matrix) regressing a
windowed statistic of a 30-step multichannel signal, trained with SGD+momentum,
12 epochs x 16 batches = 192 steps.

Seeded bug: gradient clipping is called in the wrong place -- clip_grad_norm_ runs right
after zero_grad() and before loss.backward(), so it clips the (empty) gradients and the
real gradients that backprop-through-time produces are never limited. Through the
ReLU identity recurrence the total gradient norm jumps from 420 at step 0 to 7.9e8 at
step 1 (loss 3.9 -> 1.7e7); epoch-0 train MSE is 1.0e6 and epochs 1-4 still see
gradient norms of 1e2-1.7e3. The network never recovers: it ends as a constant
predictor, val MSE 0.338 vs target variance 0.321. Fixed copy (clip between
backward() and step()): pre-clip norms 420 at step 0 then ~10-30, val MSE
0.387 -> 0.185.
"""
# traindebug-expect: exploding_gradients
import math
import torch
import numpy as np

torch.set_num_threads(1)
torch.manual_seed(3)
np.random.seed(3)

T, D_IN, H = 30, 4, 32
N_TRAIN, N_VAL = 1024, 256


def make_data(n):
    # noisy multichannel signal; target = running-average of channel 0 over the
    # whole window plus a term that depends on the first few steps (memory).
    x = torch.randn(n, T, D_IN) * 0.5
    y = x[:, :, 0].mean(1) * 4.0 + x[:, :5, 1].mean(1) * 2.0
    return x, y.unsqueeze(1)


xtr, ytr = make_data(N_TRAIN)
xva, yva = make_data(N_VAL)

# --- hand-written Elman RNN (IRNN flavour: relu + identity recurrence) ---
W_xh = (torch.randn(D_IN, H) / math.sqrt(D_IN)).requires_grad_()
W_hh = torch.eye(H).requires_grad_()
b_h = torch.zeros(H, requires_grad=True)
W_out = (torch.randn(H, 1) / math.sqrt(H)).requires_grad_()
b_out = torch.zeros(1, requires_grad=True)
params = [W_xh, W_hh, b_h, W_out, b_out]


def forward(x):
    h = torch.zeros(x.shape[0], H)
    for t in range(x.shape[1]):
        h = torch.relu(x[:, t] @ W_xh + h @ W_hh + b_h)
    return h @ W_out + b_out


opt = torch.optim.SGD(params, lr=0.003, momentum=0.9)
BATCH = 64
steps = 0
for epoch in range(12):
    perm = torch.randperm(N_TRAIN)
    tot, gn_max = 0.0, 0.0
    for i in range(0, N_TRAIN, BATCH):
        idx = perm[i:i + BATCH]
        opt.zero_grad()
        torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
        pred = forward(xtr[idx])
        loss = torch.mean((pred - ytr[idx]) ** 2)
        loss.backward()
        gn = torch.sqrt(sum((p.grad ** 2).sum() for p in params)).item()
        gn_max = max(gn_max, gn)
        opt.step()
        tot += loss.item() * len(idx)
        steps += 1
    with torch.no_grad():
        vl = torch.mean((forward(xva) - yva) ** 2).item()
    print(f"epoch {epoch:2d}  train_mse {tot / N_TRAIN:10.4g}  val_mse {vl:10.4g}  max_grad_norm {gn_max:10.4g}")
print("steps", steps, "target var", ytr.var().item())
