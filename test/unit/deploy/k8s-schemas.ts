/**
 * Minimal JSON Schemas (draft 2020-12) of the Kubernetes kinds deploy/kubernetes/mocks uses,
 * KEDA's ScaledObject included, written from the API references (apps/v1, v1, policy/v1,
 * autoscaling/v2, keda.sh/v1alpha1). They check what a typo would break: required fields, types,
 * enums, and no unknown keys in the parts these manifests use. Offline: no cluster, no network.
 */
const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const labels = { type: 'object', additionalProperties: { type: 'string' } };
const metadata = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name, namespace: name, labels, annotations: labels },
};
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9.]+(m|Ki|Mi|Gi|k|M|G)?$' }, { type: 'number' }] };
const port = { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^[a-z0-9-]{1,15}$' }] };
/** A count or a percentage (`maxUnavailable`, `minAvailable`, `maxSurge`). */
const intOrPercent = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+%$' }] };
const probe = {
  type: 'object',
  additionalProperties: false,
  properties: {
    httpGet: { type: 'object', required: ['port'], additionalProperties: false, properties: { path: { type: 'string', pattern: '^/' }, port } },
    tcpSocket: { type: 'object', required: ['port'], additionalProperties: false, properties: { port } },
    initialDelaySeconds: { type: 'integer', minimum: 0 },
    periodSeconds: { type: 'integer', minimum: 1 },
    timeoutSeconds: { type: 'integer', minimum: 1 },
    failureThreshold: { type: 'integer', minimum: 1 },
    successThreshold: { type: 'integer', minimum: 1 },
  },
  oneOf: [{ required: ['httpGet'] }, { required: ['tcpSocket'] }],
};
const container = {
  type: 'object',
  required: ['name', 'image', 'resources'],
  additionalProperties: false,
  properties: {
    name,
    image: { type: 'string', minLength: 1 },
    command: { type: 'array', items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
    env: { type: 'array', items: { type: 'object', required: ['name', 'value'], additionalProperties: false, properties: { name: { type: 'string' }, value: { type: 'string' } } } },
    envFrom: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { configMapRef: { type: 'object', required: ['name'], properties: { name } } } } },
    ports: {
      type: 'array',
      items: { type: 'object', required: ['containerPort'], additionalProperties: false, properties: { name: { type: 'string', maxLength: 15 }, containerPort: { type: 'integer', minimum: 1, maximum: 65535 }, protocol: { enum: ['TCP', 'UDP', 'SCTP'] } } },
    },
    readinessProbe: probe,
    livenessProbe: probe,
    resources: {
      type: 'object',
      required: ['requests', 'limits'],
      additionalProperties: false,
      properties: {
        requests: { type: 'object', required: ['cpu', 'memory'], additionalProperties: false, properties: { cpu: quantity, memory: quantity } },
        limits: { type: 'object', required: ['cpu', 'memory'], additionalProperties: false, properties: { cpu: quantity, memory: quantity } },
      },
    },
    volumeMounts: { type: 'array', items: { type: 'object', required: ['name', 'mountPath'], additionalProperties: false, properties: { name, mountPath: { type: 'string' }, readOnly: { type: 'boolean' } } } },
  },
};
const selector = { type: 'object', required: ['matchLabels'], additionalProperties: false, properties: { matchLabels: labels } };
const scaleTargetRef = { type: 'object', required: ['kind', 'name'], additionalProperties: false, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, name } };

const kind = (apiVersion: string, k: string, spec: object, extra: object = {}): object => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', ...('required' in extra ? [] : ['spec'])],
  additionalProperties: false,
  properties: { apiVersion: { const: apiVersion }, kind: { const: k }, metadata, spec, ...extra },
});

/** Schema per `apiVersion/kind`. */
export const K8S_SCHEMAS: Readonly<Record<string, object>> = {
  'v1/Namespace': { type: 'object', required: ['apiVersion', 'kind', 'metadata'], additionalProperties: false, properties: { apiVersion: { const: 'v1' }, kind: { const: 'Namespace' }, metadata } },
  'v1/ConfigMap': { type: 'object', required: ['apiVersion', 'kind', 'metadata', 'data'], additionalProperties: false, properties: { apiVersion: { const: 'v1' }, kind: { const: 'ConfigMap' }, metadata, data: labels } },
  'apps/v1/Deployment': kind('apps/v1', 'Deployment', {
    type: 'object',
    required: ['selector', 'template'],
    additionalProperties: false,
    properties: {
      replicas: { type: 'integer', minimum: 0 },
      selector,
      strategy: { type: 'object', properties: { type: { enum: ['RollingUpdate', 'Recreate'] }, rollingUpdate: { type: 'object', additionalProperties: false, properties: { maxUnavailable: intOrPercent, maxSurge: intOrPercent } } } },
      template: {
        type: 'object',
        required: ['metadata', 'spec'],
        additionalProperties: false,
        properties: {
          metadata: { type: 'object', required: ['labels'], additionalProperties: false, properties: { labels, annotations: labels } },
          spec: {
            type: 'object',
            required: ['containers'],
            additionalProperties: false,
            properties: {
              terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
              containers: { type: 'array', minItems: 1, items: container },
              volumes: { type: 'array', items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name, configMap: { type: 'object', required: ['name'], properties: { name } } } } },
            },
          },
        },
      },
    },
  }),
  'v1/Service': kind('v1', 'Service', {
    type: 'object',
    required: ['selector', 'ports'],
    additionalProperties: false,
    properties: {
      clusterIP: { type: 'string' },
      type: { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
      selector: labels,
      ports: { type: 'array', minItems: 1, items: { type: 'object', required: ['port'], additionalProperties: false, properties: { name: { type: 'string' }, port: { type: 'integer', minimum: 1, maximum: 65535 }, targetPort: port, protocol: { enum: ['TCP', 'UDP'] } } } },
    },
  }),
  'policy/v1/PodDisruptionBudget': kind('policy/v1', 'PodDisruptionBudget', {
    type: 'object',
    required: ['selector'],
    additionalProperties: false,
    properties: { minAvailable: intOrPercent, maxUnavailable: intOrPercent, selector },
    oneOf: [{ required: ['minAvailable'] }, { required: ['maxUnavailable'] }],
  }),
  'autoscaling/v2/HorizontalPodAutoscaler': kind('autoscaling/v2', 'HorizontalPodAutoscaler', {
    type: 'object',
    required: ['scaleTargetRef', 'maxReplicas'],
    additionalProperties: false,
    properties: {
      scaleTargetRef,
      minReplicas: { type: 'integer', minimum: 1 },
      maxReplicas: { type: 'integer', minimum: 1 },
      metrics: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type'],
          additionalProperties: false,
          properties: {
            type: { enum: ['Resource', 'Pods', 'Object', 'External', 'ContainerResource'] },
            resource: {
              type: 'object',
              required: ['name', 'target'],
              additionalProperties: false,
              properties: {
                name: { enum: ['cpu', 'memory'] },
                target: { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { enum: ['Utilization', 'AverageValue', 'Value'] }, averageUtilization: { type: 'integer', minimum: 1 }, averageValue: quantity, value: quantity } },
              },
            },
          },
        },
      },
      behavior: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(
          ['scaleUp', 'scaleDown'].map((k) => [
            k,
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                stabilizationWindowSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
                selectPolicy: { enum: ['Max', 'Min', 'Disabled'] },
                policies: { type: 'array', items: { type: 'object', required: ['type', 'value', 'periodSeconds'], additionalProperties: false, properties: { type: { enum: ['Pods', 'Percent'] }, value: { type: 'integer', minimum: 1 }, periodSeconds: { type: 'integer', minimum: 1, maximum: 1800 } } } },
              },
            },
          ]),
        ),
      },
    },
  }),
  'keda.sh/v1alpha1/ScaledObject': kind('keda.sh/v1alpha1', 'ScaledObject', {
    type: 'object',
    required: ['scaleTargetRef', 'triggers'],
    additionalProperties: false,
    properties: {
      scaleTargetRef,
      pollingInterval: { type: 'integer', minimum: 1 },
      cooldownPeriod: { type: 'integer', minimum: 0 },
      minReplicaCount: { type: 'integer', minimum: 0 },
      maxReplicaCount: { type: 'integer', minimum: 1 },
      triggers: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['type', 'metadata'],
          properties: {
            type: { type: 'string' },
            // KEDA's trigger metadata is a map of strings (numbers must be quoted).
            metadata: { type: 'object', additionalProperties: { type: 'string' } },
          },
          if: { properties: { type: { const: 'kafka' } } },
          then: {
            properties: {
              metadata: {
                type: 'object',
                required: ['bootstrapServers', 'consumerGroup', 'topic', 'lagThreshold'],
                properties: { lagThreshold: { type: 'string', pattern: '^[0-9]+$' }, activationLagThreshold: { type: 'string', pattern: '^[0-9]+$' }, offsetResetPolicy: { enum: ['earliest', 'latest'] }, allowIdleConsumers: { enum: ['true', 'false'] } },
              },
            },
          },
        },
      },
    },
  }),
};
