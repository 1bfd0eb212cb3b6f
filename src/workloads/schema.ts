import { z } from '../shared/zod.ts';

/**
 * The parts of a pod spec that rules read, validated before any rule runs so that rules can trust
 * their types and a malformed object becomes one clear error instead of a crash. Objects are loose:
 * fields no rule reads pass through untouched. `null` is accepted wherever Kubernetes accepts an
 * absent field (YAML `key:` with no value).
 */
const str = z.string().nullish();
const bool = z.boolean().nullish();
const int = z.number().nullish();
const strList = z.array(z.string()).nullish();

const seccompProfile = z.looseObject({ type: str, localhostProfile: str }).nullish();
const appArmorProfile = z.looseObject({ type: str, localhostProfile: str }).nullish();
const seLinuxOptions = z.looseObject({ type: str, user: str, role: str, level: str }).nullish();
const windowsOptions = z.looseObject({ hostProcess: bool }).nullish();

/** Fields that both the pod and the container securityContext have (the container's override the pod's). */
const sharedSecurityContextFields = {
  runAsNonRoot: bool,
  runAsUser: int,
  seccompProfile,
  appArmorProfile,
  seLinuxOptions,
  windowsOptions,
};

const handlerFields = {
  httpGet: z.looseObject({ host: str }).nullish(),
  tcpSocket: z.looseObject({ host: str }).nullish(),
};
const probe = z.looseObject(handlerFields).nullish();
const lifecycleHandler = z.looseObject(handlerFields).nullish();

const quantityMap = z.record(z.string(), z.union([z.string(), z.number()]).nullish()).nullish();

export const containerSchema = z.looseObject({
  name: str,
  image: str,
  /** Only `Always`, on init containers: a sidecar (v1.29+). */
  restartPolicy: str,
  securityContext: z
    .looseObject({
      privileged: bool,
      allowPrivilegeEscalation: bool,
      capabilities: z.looseObject({ add: strList, drop: strList }).nullish(),
      procMount: str,
      readOnlyRootFilesystem: bool,
      ...sharedSecurityContextFields,
    })
    .nullish(),
  ports: z.array(z.looseObject({ hostPort: int, containerPort: int })).nullish(),
  env: z
    .array(z.looseObject({ name: z.string(), value: str, valueFrom: z.looseObject({}).nullish() }))
    .nullish(),
  resources: z.looseObject({ requests: quantityMap, limits: quantityMap }).nullish(),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  lifecycle: z
    .looseObject({ postStart: lifecycleHandler, preStop: lifecycleHandler, stopSignal: str })
    .nullish(),
  volumeMounts: z
    .array(z.looseObject({ name: z.string(), mountPath: str, readOnly: bool, mountPropagation: str }))
    .nullish(),
});

export const podSpecSchema = z.looseObject({
  hostNetwork: bool,
  hostPID: bool,
  hostIPC: bool,
  hostUsers: bool,
  automountServiceAccountToken: bool,
  os: z.looseObject({ name: str }).nullish(),
  securityContext: z
    .looseObject({
      ...sharedSecurityContextFields,
      sysctls: z.array(z.looseObject({ name: z.string(), value: str })).nullish(),
    })
    .nullish(),
  volumes: z
    .array(
      z.looseObject({
        name: z.string(),
        hostPath: z.looseObject({ path: str }).nullish(),
        image: z.looseObject({ reference: str }).nullish(),
      }),
    )
    .nullish(),
  containers: z.array(containerSchema).nullish(),
  initContainers: z.array(containerSchema).nullish(),
  ephemeralContainers: z.array(containerSchema).nullish(),
});

export const objectMetaSchema = z
  .looseObject({
    name: str,
    generateName: str,
    namespace: str,
    labels: z.record(z.string(), z.string().nullish()).nullish(),
    annotations: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).nullish()).nullish(),
  })
  .nullish();

export type PodSpec = z.infer<typeof podSpecSchema>;
export type Container = z.infer<typeof containerSchema>;
export type ContainerSecurityContext = NonNullable<Container['securityContext']>;
export type PodSecurityContext = NonNullable<PodSpec['securityContext']>;
export type ObjectMeta = NonNullable<z.infer<typeof objectMetaSchema>>;
