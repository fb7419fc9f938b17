import { http } from './client';
import type { Activity, ActivityInput, ActivityTypeList } from './types';

/** Records one activity (append-only: never edited or deleted). */
export function logActivity(input: ActivityInput): Promise<Activity> {
  return http.post<Activity>('/activities', input);
}

export function getActivity(id: number): Promise<Activity> {
  return http.get<Activity>(`/activities/${id}`);
}

/** Custom types plus the built-in names. */
export function listActivityTypes(): Promise<ActivityTypeList> {
  return http.get<ActivityTypeList>('/activity-types');
}
