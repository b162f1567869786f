"""A plain PyTorch pre-activation WideResNet with pytorch-ood's state_dict key names (OOD_SPEC.md section 4).

Written from the spec, not copied: conv1 3->16; three groups of n = (depth-4)/6 BasicBlocks with channels
16k, 32k, 64k (first block of groups 2 and 3 has stride 2); head BN -> ReLU -> avg_pool2d(8) -> fc.
BasicBlock: a = relu(bn1(x)); h = conv2(dropout(relu(bn2(conv1(a))))); out = h + (x if in == out else
convShortcut(a)). All convs bias-free, padding 1 (3x3) or 0 (1x1). BN eps 1e-5, momentum 0.1 (defaults).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, out_planes, stride, drop_rate):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, out_planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_planes)
        self.conv2 = nn.Conv2d(out_planes, out_planes, 3, stride=1, padding=1, bias=False)
        self.drop_rate = drop_rate
        self.equal_in_out = in_planes == out_planes
        if not self.equal_in_out:
            self.convShortcut = nn.Conv2d(in_planes, out_planes, 1, stride=stride, padding=0, bias=False)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        h = F.relu(self.bn2(self.conv1(a)))
        if self.drop_rate > 0:
            h = F.dropout(h, p=self.drop_rate, training=self.training)
        h = self.conv2(h)
        return h + (x if self.equal_in_out else self.convShortcut(a))


class NetworkBlock(nn.Module):
    def __init__(self, n, in_planes, out_planes, stride, drop_rate):
        super().__init__()
        self.layer = nn.Sequential(
            *[
                BasicBlock(in_planes if i == 0 else out_planes, out_planes, stride if i == 0 else 1, drop_rate)
                for i in range(n)
            ]
        )

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth=40, widen_factor=2, num_classes=10, drop_rate=0.3):
        super().__init__()
        assert (depth - 4) % 6 == 0
        n = (depth - 4) // 6
        ch = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.conv1 = nn.Conv2d(3, ch[0], 3, stride=1, padding=1, bias=False)
        self.block1 = NetworkBlock(n, ch[0], ch[1], 1, drop_rate)
        self.block2 = NetworkBlock(n, ch[1], ch[2], 2, drop_rate)
        self.block3 = NetworkBlock(n, ch[2], ch[3], 2, drop_rate)
        self.bn1 = nn.BatchNorm2d(ch[3])
        self.fc = nn.Linear(ch[3], num_classes)
        self.n_channels = ch[3]
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def features(self, x):
        h = self.block3(self.block2(self.block1(self.conv1(x))))
        h = F.relu(self.bn1(h))
        h = F.avg_pool2d(h, 8)
        return h.view(-1, self.n_channels)

    def forward(self, x):
        return self.fc(self.features(x))
