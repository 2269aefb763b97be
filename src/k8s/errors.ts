import { defineCatalogue } from '../common/errors.ts';

export const K8sErrors = defineCatalogue('k8s', {
  IRONLB_ERR_KUBECONFIG: {
    code: 'IRONLB_ERR_KUBECONFIG',
    description: 'No usable Kubernetes client configuration (kubeconfig file or in-cluster).',
  },
  IRONLB_ERR_NOT_LEADER: {
    code: 'IRONLB_ERR_NOT_LEADER',
    description: 'A write was attempted by a replica that does not hold the leader lease.',
  },
  IRONLB_ERR_API: {
    code: 'IRONLB_ERR_API',
    description: 'The Kubernetes API answered a request with an error.',
  },
});
