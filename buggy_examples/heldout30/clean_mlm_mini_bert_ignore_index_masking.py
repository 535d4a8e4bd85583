"""Healthy control: masked-language-model pre-training of a mini BERT (2 pre-norm Transformer
encoder layers, d 64, 4 heads, GELU, dropout 0.1, tied input/output embeddings initialised with
std 0.02) on a toy "echo" grammar (a random 10-token phrase followed by its mirror image,
30 word types + [MASK] + [PAD]). BERT-style corruption: 15% of positions are selected, 80% of
them replaced by [MASK], 10% by a random token, 10% kept; the loss is cross-entropy with
ignore_index=-100 on the selected positions only. AdamW (decay 0.01 on matrices only,
betas 0.9/0.98) lr 3e-3 with 25-step linear warm-up and linear decay, batch 32, 200 steps.

Possible false alarm: about 85% of the label tensor is -100, which is outside the class range
and looks like a label-range problem to a naive check; only ~3 positions per sequence carry a
loss, so the per-step train loss is noisy (it can go up between logs); the [MASK]/[PAD]
classes are never targets; 10% of the inputs are deliberately corrupted with random tokens
(looks like label noise); the loss floor stays well above zero because a masked token whose
mirror position is also masked or corrupted is unpredictable.

Measured (plain python, 1 thread): val MLM loss 3.47 -> 0.761 (uniform guess 3.40), masked
token accuracy 0.04 -> 0.861 (0.81 already at step 80).
"""
# traindebug-expect: clean
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

N_WORDS = 30                 # ordinary tokens 0..29
MASK_ID, PAD_ID = 30, 31
VOCAB = 32
HALF = 10
SEQ = 2 * HALF
BATCH = 32
STEPS = 200
IGNORE = -100


def make_batch(n, gen=None):
    """Each sentence is a random phrase followed by its mirror image (a toy 'echo' grammar)."""
    first = torch.randint(0, N_WORDS, (n, HALF), generator=gen)
    return torch.cat([first, first.flip(1)], dim=1)


def mask_tokens(tokens, p=0.15, gen=None):
    labels = tokens.clone()
    chosen = torch.rand(tokens.shape, generator=gen) < p
    labels[~chosen] = IGNORE
    inputs = tokens.clone()
    r = torch.rand(tokens.shape, generator=gen)
    inputs[chosen & (r < 0.8)] = MASK_ID
    rand_pos = chosen & (r >= 0.8) & (r < 0.9)
    inputs[rand_pos] = torch.randint(0, N_WORDS, (int(rand_pos.sum()),), generator=gen)
    return inputs, labels


class MiniBert(nn.Module):
    def __init__(self, d=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d, padding_idx=PAD_ID)
        self.pos = nn.Embedding(SEQ, d)
        enc_layer = nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, activation="gelu",
                                               batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(enc_layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d)
        self.lm_head = nn.Linear(d, VOCAB, bias=False)
        self.lm_head.weight = self.tok.weight
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)

    def forward(self, x):
        h = self.tok(x) + self.pos(torch.arange(x.shape[1]))
        return self.lm_head(self.norm(self.encoder(h)))


model = MiniBert()
decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                         {"params": no_decay, "weight_decay": 0.0}], lr=3e-3, betas=(0.9, 0.98))
warmup = 25
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / STEPS))

val_gen = torch.Generator().manual_seed(999)
val_inputs, val_labels = mask_tokens(make_batch(512, val_gen), gen=val_gen)


@torch.no_grad()
def evaluate():
    model.eval()
    logits = model(val_inputs)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), val_labels.reshape(-1), ignore_index=IGNORE)
    m = val_labels != IGNORE
    acc = (logits.argmax(-1)[m] == val_labels[m]).float().mean()
    model.train()
    return loss.item(), acc.item()


for step in range(1, STEPS + 1):
    inputs, labels = mask_tokens(make_batch(BATCH))
    logits = model(inputs)
    loss = F.cross_entropy(logits.view(-1, VOCAB), labels.view(-1), ignore_index=IGNORE)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    sched.step()
    if step % 40 == 0 or step == 1:
        vl, va = evaluate()
        print(f"step {step:3d}  lr {sched.get_last_lr()[0]:.2e}  train mlm loss {loss.item():.4f}  "
              f"val mlm loss {vl:.4f}  val masked acc {va:.3f}")

vl, va = evaluate()
print(f"final val mlm loss {vl:.4f} (uniform guess {math.log(N_WORDS):.3f})  masked-token acc {va:.3f}")
