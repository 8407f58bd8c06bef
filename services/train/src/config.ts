/** The train worker's environment: the worker variables plus the tensor backend to force. */
import { tfBackendVariable } from '@lathe/ml';
import { workerEnvSchema } from '@lathe/queues';

export const trainEnvSchema = workerEnvSchema.extend({ LATHE_TF_BACKEND: tfBackendVariable });
