"""Pre-LN nn.TransformerEncoder (2 layers, d_model 32) classifying short generated
token sequences with padding ("does token 3 occur more often than token 7?"),
masked mean pooling, AdamW with decoupled weight decay on matrices only,
linear warm-up (25 steps) to a fairly large peak lr (2e-3) followed by cosine
decay to 0, 160 steps on freshly sampled batches.

Clean control. Patterns a naive detector may flag: very aggressive but
deliberate gradient-norm clipping (max_norm 0.1) that is active on 37 of the
first 40 steps and on 52 of 160 steps overall; a large peak learning rate
(made stable by the warm-up); a learning rate that reaches exactly 0 at the
last step (end of the cosine schedule, not a premature decay); gradient norms
near 0 late in training because the task is solved.

Measured (seed 21): mean loss 0.329 over steps 1-40 (chance ln 2 = 0.693),
0.0013 over steps 121-160; val acc 0.997 at step 40, 1.000 from step 80 on.
"""
# traindebug-expect: clean
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(21)

VOCAB, SEQ_LEN, PAD = 12, 12, 0
CFG = dict(d_model=32, nhead=4, layers=2, ff=64, dropout=0.1,
           peak_lr=2e-3, warmup=25, total_steps=160, clip=0.1, batch=48, wd=0.01)


def sample_batch(n, gen):
    """Label: 1 if token 3 occurs more often than token 7 in the sequence."""
    lengths = torch.randint(6, SEQ_LEN + 1, (n,), generator=gen)
    tokens = torch.randint(1, VOCAB, (n, SEQ_LEN), generator=gen)
    pad_mask = torch.arange(SEQ_LEN)[None, :] >= lengths[:, None]
    tokens = tokens.masked_fill(pad_mask, PAD)
    c3 = (tokens == 3).sum(1)
    c7 = (tokens == 7).sum(1)
    # resample ties to a coin flip of which token gets an extra occurrence
    tie = c3 == c7
    flip = torch.rand(n, generator=gen) < 0.5
    pos = torch.zeros(n, dtype=torch.long)
    tokens[tie & flip, pos[tie & flip]] = 3
    tokens[tie & ~flip, pos[tie & ~flip]] = 7
    labels = ((tokens == 3).sum(1) > (tokens == 7).sum(1)).long()
    return tokens, pad_mask, labels


class CountClassifier(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, c["d_model"], padding_idx=PAD)
        self.pos = nn.Parameter(torch.randn(SEQ_LEN, c["d_model"]) * 0.02)
        layer = nn.TransformerEncoderLayer(c["d_model"], c["nhead"], c["ff"], c["dropout"],
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, c["layers"], enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c["d_model"])
        self.out = nn.Linear(c["d_model"], 2)

    def forward(self, tokens, pad_mask):
        h = self.embed(tokens) + self.pos
        h = self.encoder(h, src_key_padding_mask=pad_mask)
        keep = (~pad_mask).unsqueeze(-1).float()
        pooled = (self.norm(h) * keep).sum(1) / keep.sum(1)
        return self.out(pooled)


def lr_lambda(step):
    if step < CFG["warmup"]:
        return (step + 1) / CFG["warmup"]
    progress = (step - CFG["warmup"]) / max(1, CFG["total_steps"] - CFG["warmup"])
    return 0.5 * (1 + math.cos(math.pi * progress))


def main():
    gen = torch.Generator().manual_seed(1)
    val = sample_batch(1024, gen)
    model = CountClassifier(CFG)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1 or "pos" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": CFG["wd"]},
                             {"params": no_decay, "weight_decay": 0.0}], lr=CFG["peak_lr"])
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)

    clipped, window_loss = 0, []
    for step in range(CFG["total_steps"]):
        model.train()
        tokens, mask, labels = sample_batch(CFG["batch"], gen)
        loss = F.cross_entropy(model(tokens, mask), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        total_norm = nn.utils.clip_grad_norm_(model.parameters(), CFG["clip"])
        clipped += int(total_norm > CFG["clip"])
        opt.step()
        sched.step()
        window_loss.append(loss.item())
        if (step + 1) % 40 == 0:
            model.eval()
            with torch.no_grad():
                acc = (model(val[0], val[1]).argmax(1) == val[2]).float().mean().item()
            print(f"step {step + 1:4d} lr {sched.get_last_lr()[0]:.2e} loss {sum(window_loss) / len(window_loss):.4f} "
                  f"grad_norm {total_norm:.2f} clipped {clipped}/{step + 1} val_acc {acc:.3f}")
            window_loss = []


if __name__ == "__main__":
    main()
