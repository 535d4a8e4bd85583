"""
Pointer network (Vinyals et al. 2015) that sorts 8 numbers drawn from U(0, 1): per-item MLP embedding
+ one TransformerEncoder layer, a GRUCell decoder fed with the encoding of the previously chosen item
(teacher forcing), scaled dot-product pointer scores over the inputs. Cross-entropy on
the index of the next smallest item; Adam lr 1e-3, batch 64 generated on the fly, 200 steps.

Healthy control: a correct pointer network; validation loss falls to ~0.015 and every decoding step
points at the right item.
Possible false alarm: items that have already been emitted are masked with float("-inf") in the
pointer logits, so every logits tensor handed to the loss contains -inf entries (up to 7 of 8 per
row at the last step). The targets are never masked entries, so the loss and gradients stay finite,
but a detector scanning outputs for non-finite values could call it non_finite. The per-step mask
also makes the masked logits receive exactly zero gradient.

Measured (seed 0, 1 thread): final val loss 0.0148 (first eval at step 40 already ~0.07),
teacher-forced per-position accuracy 1.000 (uniform over the remaining items would give ~0.34).
"""
# traindebug-expect: clean
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_ITEMS, DIM = 8, 64


class PointerSorter(nn.Module):
    """Pointer network (Vinyals et al. 2015): at each decoding step point at one input item."""

    def __init__(self, dim=DIM):
        super().__init__()
        self.embed = nn.Sequential(nn.Linear(1, dim), nn.ReLU(), nn.Linear(dim, dim))
        layer = nn.TransformerEncoderLayer(dim, 4, 2 * dim, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.start = nn.Parameter(torch.zeros(dim))
        self.cell = nn.GRUCell(dim, dim)
        self.w_q = nn.Linear(dim, dim, bias=False)
        self.w_k = nn.Linear(dim, dim, bias=False)

    def forward(self, x, order):
        """x: (B, N) values, order: (B, N) indices of the items in sorted order (teacher forcing)."""
        B, N = x.shape
        enc = self.encoder(self.embed(x.unsqueeze(-1)))           # (B, N, d)
        keys = self.w_k(enc)
        state = enc.mean(1)
        inp = self.start.expand(B, -1)
        chosen = torch.zeros(B, N, dtype=torch.bool)
        all_logits = []
        for step in range(N):
            state = self.cell(inp, state)
            logits = torch.einsum("bd,bnd->bn", self.w_q(state), keys) / DIM ** 0.5
            logits = logits.masked_fill(chosen, float("-inf"))    # an item can be picked only once
            all_logits.append(logits)
            nxt = order[:, step]
            chosen = chosen.scatter(1, nxt[:, None], True)
            inp = enc[torch.arange(B), nxt]
        return torch.stack(all_logits, dim=1)                     # (B, N, N), contains -inf


def make_batch(n, gen=None):
    x = torch.rand(n, N_ITEMS, generator=gen)
    return x, x.argsort(dim=1)


def main():
    model = PointerSorter()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    x_val, o_val = make_batch(500, gen)
    for step in range(1, 201):
        x, order = make_batch(64)
        logits = model(x, order)
        loss = F.cross_entropy(logits.reshape(-1, N_ITEMS), order.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 40 == 0:
            with torch.no_grad():
                vl = model(x_val, o_val)
                val_loss = F.cross_entropy(vl.reshape(-1, N_ITEMS), o_val.reshape(-1)).item()
                pos_acc = (vl.argmax(-1) == o_val).float().mean().item()
            print(f"step {step} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_position_acc {pos_acc:.3f}")
    print(f"final val loss {val_loss:.4f}, per-position accuracy {pos_acc:.3f} (uniform-over-remaining ~{(1/torch.arange(1, N_ITEMS+1).float()).mean():.3f})")


if __name__ == "__main__":
    main()
