import { defineRule, type Reference } from '../../engine/rule.ts';

const IMAGE_NAMES_REFERENCE: Reference = {
  title: 'Images: image names, tags and digests',
  url: 'https://kubernetes.io/docs/concepts/containers/images/#image-names',
};
const CONFIG_BEST_PRACTICES_REFERENCE: Reference = {
  title: 'Configuration Best Practices: container images',
  url: 'https://kubernetes.io/docs/concepts/configuration/overview/#container-images',
};

interface ImageReference {
  readonly tag: string | null;
  readonly digest: string | null;
}

/** Splits `[registry[:port]/]path[:tag][@digest]`; a colon before the last `/` is a registry port, not a tag. */
export function parseImageReference(image: string): ImageReference {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const digest = at === -1 ? null : image.slice(at + 1);
  const colon = name.lastIndexOf(':');
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : null;
  return { tag: tag === '' ? null : tag, digest: digest === '' ? null : digest };
}

export const imageTagMutable = defineRule({
  meta: {
    id: 'image-tag-mutable',
    subject: 'pod-spec',
    title: { en: 'Mutable image reference', 'zh-CN': '镜像引用可变' },
    category: 'hardening',
    severity: 'medium',
    pss: null,
    messages: {
      noTag: {
        en: 'Container "{{container}}" uses image "{{image}}" with no tag and no digest: it means `:latest`, which can point at a different image on every pull.',
        'zh-CN':
          '容器 "{{container}}" 使用的镜像 "{{image}}" 既没有标签也没有摘要（digest），等同于 `:latest`，每次拉取都可能得到不同的镜像。',
      },
      latestTag: {
        en: 'Container "{{container}}" uses image "{{image}}" with the `latest` tag and no digest: it can point at a different image on every pull.',
        'zh-CN':
          '容器 "{{container}}" 使用的镜像 "{{image}}" 采用 `latest` 标签且未指定摘要（digest），每次拉取都可能得到不同的镜像。',
      },
      volumeNoTag: {
        en: 'Image volume "{{volume}}" mounts image "{{image}}" with no tag and no digest: it means `:latest`, which can point at different content on every pull.',
        'zh-CN':
          '镜像卷 "{{volume}}" 挂载的镜像 "{{image}}" 既没有标签也没有摘要（digest），等同于 `:latest`，每次拉取得到的内容都可能不同。',
      },
      volumeLatestTag: {
        en: 'Image volume "{{volume}}" mounts image "{{image}}" with the `latest` tag and no digest: it can point at different content on every pull.',
        'zh-CN':
          '镜像卷 "{{volume}}" 挂载的镜像 "{{image}}" 采用 `latest` 标签且未指定摘要（digest），每次拉取得到的内容都可能不同。',
      },
    },
    docs: {
      why: {
        en: 'With `latest` (or no tag) you cannot tell which code runs, nodes may run different versions of the same pod, rollbacks do not roll back, and a compromised registry push reaches the cluster on the next restart.',
        'zh-CN':
          '使用 `latest`（或不写标签）时无法确定实际运行的是哪个版本，同一工作负载在不同节点上可能运行不同版本，回滚也无法真正回退；一旦镜像仓库被恶意推送，下次重启时就会进入集群。',
      },
      fix: {
        en: 'Pin a version tag (`nginx:1.27.3`), or better an immutable digest (`nginx:1.27.3@sha256:…`), and update it deliberately (e.g. with Renovate or Dependabot). The same holds for image volumes (`volumes[].image.reference`, v1.31+), whose content is mounted into the pod just as a container image runs.',
        'zh-CN':
          '固定到具体版本标签（如 `nginx:1.27.3`），更好的做法是使用不可变的摘要（如 `nginx:1.27.3@sha256:…`），并通过 Renovate、Dependabot 等工具有计划地升级。镜像卷（`volumes[].image.reference`，v1.31+）同样如此：其内容会像容器镜像一样被挂载进 Pod。',
      },
      snippet: ['containers:', '  - name: app', '    image: nginx:1.27.3@sha256:<digest>'].join('\n'),
      severity: {
        en: 'Medium: a supply-chain and reproducibility risk that needs a push to the registry to be exploited; plan pinning across the team rather than treating it as an incident.',
        'zh-CN':
          '中：这是供应链与可复现性风险，需要有人向镜像仓库推送才可能被利用；应在团队内有计划地固定版本，而不是当作事故处理。',
      },
      references: [IMAGE_NAMES_REFERENCE, CONFIG_BEST_PRACTICES_REFERENCE],
    },
  },
  check(context) {
    for (const node of context.containers) {
      const image = node.container.image?.trim();
      // A missing image is a validation error, not a mutable reference.
      if (!image) continue;
      const mutable = mutableTag(image);
      if (mutable === undefined) continue;
      context.report({
        messageId: mutable === 'none' ? 'noTag' : 'latestTag',
        data: { container: node.name, image },
        path: [...node.path, 'image'],
        container: node,
      });
    }
    context.podSpec.volumes?.forEach((volume, index) => {
      const image = volume.image?.reference?.trim();
      if (!image) return;
      const mutable = mutableTag(image);
      if (mutable === undefined) return;
      context.report({
        messageId: mutable === 'none' ? 'volumeNoTag' : 'volumeLatestTag',
        data: { volume: volume.name, image },
        path: [...context.podSpecPath, 'volumes', index, 'image', 'reference'],
      });
    });
  },
});

/** `none` for no tag, `latest` for the latest tag, undefined when a digest or another tag pins it. */
function mutableTag(image: string): 'none' | 'latest' | undefined {
  const { tag, digest } = parseImageReference(image);
  if (digest !== null) return undefined;
  if (tag === null) return 'none';
  return tag === 'latest' ? 'latest' : undefined;
}
