"""clean: a multi-label tagger with 8 rare tags (most samples have 0-2 tags)
trained with BCEWithLogitsLoss and a pos_weight that up-weights the rare
positives, so the logits start negative-biased and the loss starts above
ln 2 per tag; standardised features, AdamW with weight decay, dropout."""
# traindebug-expect: clean
import torch
from sklearn.datasets import make_multilabel_classification
from torch import nn

X, Y = make_multilabel_classification(n_samples=4000, n_features=30, n_classes=8, n_labels=1,
                                      random_state=2)
X = torch.tensor(X, dtype=torch.float32)
X = (X - X.mean(0)) / (X.std(0) + 1e-6)
Y = torch.tensor(Y, dtype=torch.float32)
pos = Y.mean(0).clamp(min=1e-3)
criterion = nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)
model = nn.Sequential(nn.Linear(30, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 8))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, Y), batch_size=64, shuffle=True)
for epoch in range(5):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        acc = ((model(X) > 0).float() == Y).float().mean().item()
    print(epoch, round(loss.item(), 3), round(acc, 3))
