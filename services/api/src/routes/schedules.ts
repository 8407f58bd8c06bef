/** Schedules of retraining; each change is reconciled to a BullMQ job scheduler by the pipeline. */
import {
  createScheduleBody,
  idParams,
  listSchedulesQuery,
  pageOf,
  scheduleSchema,
  updateScheduleBody,
} from '@lathe/contract';
import { createSchedule, deleteSchedule, getExperiment, getSchedule, updateSchedule } from '@lathe/registry';
import { audit } from '../audit.ts';
import type { ApiDeps } from '../deps.ts';
import type { RouteTable } from '../openapi/route-table.ts';
import { paginate } from '../pagination.ts';

export function registerScheduleRoutes(routes: RouteTable, deps: ApiDeps): void {
  const { registry, pipeline } = deps;

  routes.add({
    method: 'post',
    path: '/experiments/:id/schedules',
    summary: 'Schedule retraining of an experiment',
    tag: 'schedules',
    params: idParams,
    body: createScheduleBody,
    status: 201,
    response: scheduleSchema,
    handler: async ({ req, params, body }) => {
      await getExperiment(registry, params.id);
      const schedule = await createSchedule(registry, {
        experimentId: params.id,
        cron: body.cron,
        ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      });
      await pipeline.syncSchedule(schedule.id);
      await audit(registry, req, {
        action: 'schedule.create',
        entity: 'schedule',
        entityId: schedule.id,
        after: schedule,
      });
      return schedule;
    },
  });

  routes.add({
    method: 'get',
    path: '/schedules',
    summary: 'List schedules',
    tag: 'schedules',
    query: listSchedulesQuery,
    response: pageOf(scheduleSchema),
    handler: async ({ query }) =>
      paginate(query, (page) =>
        registry.schedule.findMany({
          where: {
            ...(query.experimentId ? { experimentId: query.experimentId } : {}),
            ...(query.enabled ? { enabled: query.enabled === 'true' } : {}),
          },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          ...page,
        }),
      ),
  });

  routes.add({
    method: 'get',
    path: '/schedules/:id',
    summary: 'Get a schedule',
    tag: 'schedules',
    params: idParams,
    response: scheduleSchema,
    handler: async ({ params }) => getSchedule(registry, params.id),
  });

  routes.add({
    method: 'patch',
    path: '/schedules/:id',
    summary: 'Change the cron, time zone or enabled flag of a schedule',
    tag: 'schedules',
    params: idParams,
    body: updateScheduleBody,
    response: scheduleSchema,
    handler: async ({ req, params, body }) => {
      const before = await getSchedule(registry, params.id);
      const schedule = await updateSchedule(registry, params.id, {
        ...(body.cron !== undefined ? { cron: body.cron } : {}),
        ...(body.timezone !== undefined ? { timezone: body.timezone } : {}),
        ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      });
      await pipeline.syncSchedule(schedule.id);
      await audit(registry, req, {
        action: 'schedule.update',
        entity: 'schedule',
        entityId: schedule.id,
        before,
        after: schedule,
      });
      return schedule;
    },
  });

  routes.add({
    method: 'delete',
    path: '/schedules/:id',
    summary: 'Delete a schedule',
    tag: 'schedules',
    params: idParams,
    status: 204,
    handler: async ({ req, params }) => {
      const before = await deleteSchedule(registry, params.id);
      await pipeline.syncSchedule(params.id);
      await audit(registry, req, {
        action: 'schedule.delete',
        entity: 'schedule',
        entityId: params.id,
        before,
      });
      return undefined;
    },
  });
}
